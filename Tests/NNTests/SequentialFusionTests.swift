// Sequential runs Conv2D → ReLU (→ MaxPool2D) as one fused operation: a network's outputs and
// parameter gradients are the same bits as its layers applied one at a time.
import TestSupport
import XCTest
import TensorCore
import NN

final class SequentialFusionTests: XCTestCase {
    func makeNet() -> Sequential {
        var rng = RNG(seed: 9)
        return Sequential(Conv2D(inChannels: 1, outChannels: 4, kernel: 3, rng: &rng), Activation(.relu), MaxPool2D(kernel: 2),
                          Conv2D(inChannels: 4, outChannels: 6, kernel: 3, bias: false, rng: &rng), Activation(.relu),
                          Conv2D(inChannels: 6, outChannels: 3, kernel: 3, stride: 2, rng: &rng), Activation(.tanh),
                          Flatten(), Dense(3 * 2 * 2, 5, rng: &rng))
    }

    /// Output bits, then each parameter's gradient bits, for the net applied whole or layer by layer.
    func run(layerByLayer: Bool) -> [[UInt32]] {
        let net = makeNet()
        var rng = RNG(seed: 4)
        let x = Tensor(shape: [3, 8, 8, 1], data: rng.normalArray(3 * 64))
        let y = layerByLayer ? net.layers.reduce(x) { $1($0) } : net(x)
        y.backward(seed: rng.normalArray(y.count))
        return [y.data.map(\.bitPattern)] + net.parameters.map { $0.grad!.map(\.bitPattern) }
    }

    func testFusedNetworkMatchesItsLayersOneAtATime() {
        let whole = run(layerByLayer: false), apart = run(layerByLayer: true)
        XCTAssertEqual(whole.count, apart.count)
        XCTAssertEqual(whole, apart)
        XCTAssertTrue(whole.dropFirst().allSatisfy { g in g.contains { $0 != 0 } }, "every parameter got a gradient")
    }
}
