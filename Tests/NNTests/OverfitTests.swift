// Capacity check: an MLP drives the loss on one small Fashion-MNIST-shaped batch to ~0.
import TestSupport
import XCTest
import TensorCore
import NN

final class OverfitTests: XCTestCase {
    func testMLPOverfitsEightExamplesWithAdam() {
        var rng = RNG(seed: 31)
        let model = Sequential(Dense(784, 64, rng: &rng), Activation(.relu), Dense(64, 10, scale: 0.1, rng: &rng))
        let x = Tensor.normal([8, 784], rng: &rng)
        let labels = Array(0..<8)
        let adam = Adam(learningRate: 3e-3)
        var loss = Float.infinity
        let initial = Tensor.withoutGrad { Loss.softmaxCrossEntropy(model(x), labels: labels) }.item
        var steps = 0
        while steps < 500 && loss >= 1e-3 {
            model.zeroGrad()
            let l = Loss.softmaxCrossEntropy(model(x), labels: labels)
            l.backward()
            adam.step(model.parameters)
            loss = l.item
            steps += 1
        }
        let final = Tensor.withoutGrad { Loss.softmaxCrossEntropy(model(x), labels: labels) }.item
        XCTAssertGreaterThan(initial, 1.5)
        XCTAssertLessThan(final, 1e-3, "after \(steps) steps")
        // Every example is classified correctly.
        XCTAssertEqual(Tensor.withoutGrad { model(x) }.argmax(axis: 1), labels)
    }

    func testCNNOverfitsEightExamplesWithAdam() {
        var rng = RNG(seed: 32)
        let model = Sequential(Reshape([28, 28, 1]),
                               Conv2D(inChannels: 1, outChannels: 4, kernel: 3, stride: 2, padding: 1, rng: &rng),
                               Activation(.relu), MaxPool2D(kernel: 2), Flatten(),
                               Dense(7 * 7 * 4, 10, scale: 0.1, rng: &rng))
        let x = Tensor.normal([8, 784], rng: &rng)
        let labels = [0, 1, 2, 3, 4, 5, 6, 7]
        let adam = Adam(learningRate: 1e-2)
        var loss = Float.infinity
        for _ in 0..<400 where loss >= 1e-3 {
            model.zeroGrad()
            let l = Loss.softmaxCrossEntropy(model(x), labels: labels)
            l.backward()
            adam.step(model.parameters)
            loss = l.item
        }
        XCTAssertLessThan(Tensor.withoutGrad { Loss.softmaxCrossEntropy(model(x), labels: labels) }.item, 1e-2)
    }
}
