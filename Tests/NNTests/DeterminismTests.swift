// Determinism: the same seed gives bit-identical parameters after training (initialisation,
// data, dropout masks and updates all come from seeded Philox streams); another seed does not.
import TestSupport
import XCTest
import TensorCore
import NN

final class DeterminismTests: XCTestCase {
    /// Trains a small MLP with dropout for `steps` Adam steps and returns every parameter's values.
    func train(seed: UInt64, steps: Int = 50) -> [[Float]] {
        let root = RNG(seed: seed)
        var initRNG = root.derived(stream: 1), dataRNG = root.derived(stream: 2)
        let model = Sequential(Dense(20, 32, rng: &initRNG), Activation(.relu),
                               Dropout(rate: 0.3, rng: root.derived(stream: 3)),
                               Dense(32, 16, rng: &initRNG), Activation(.gelu),
                               Dropout(rate: 0.2, rng: root.derived(stream: 4)),
                               Dense(16, 5, rng: &initRNG))
        let x = Tensor.normal([64, 20], rng: &dataRNG)
        let labels = (0..<64).map { _ in dataRNG.int(below: 5) }
        let adam = Adam.adamW(learningRate: 1e-2)
        for _ in 0..<steps {
            let batch = Array(dataRNG.permutation(64).prefix(16))
            model.zeroGrad()
            Loss.softmaxCrossEntropy(model(x.rows(batch)), labels: batch.map { labels[$0] }).backward()
            GradientClipping.clipGlobalNorm(model.parameters, maxNorm: 5)
            adam.step(model.parameters)
        }
        return model.parameters.map(\.data)
    }

    func testSameSeedGivesBitIdenticalParameters() {
        let a = train(seed: 123), b = train(seed: 123)
        XCTAssertEqual(a.count, 6)
        for (pa, pb) in zip(a, b) { XCTAssertEqual(pa, pb) }
        XCTAssertEqual(a.flatMap { $0 }.map(\.bitPattern), b.flatMap { $0 }.map(\.bitPattern))
    }

    func testTrainingChangedTheParameters() {
        XCTAssertNotEqual(train(seed: 123, steps: 0), train(seed: 123, steps: 50))
    }

    func testDifferentSeedGivesDifferentParameters() {
        XCTAssertNotEqual(train(seed: 123), train(seed: 124))
    }
}
