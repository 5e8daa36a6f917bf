// Initialisation: the loss of a freshly initialised classifier is ln(classes); bias from class
// priors reproduces the priors; initialisers have the promised variances and parse their names.
import TestSupport
import XCTest
import Foundation
import TensorCore
import NN

final class InitializationTests: XCTestCase {
    func testFreshTenClassMLPStartsAtLogTen() {
        var rng = RNG(seed: 2024)
        let head = Dense(128, 10, initializer: .heNormal, scale: 0.01, rng: &rng)
        head.bias!.assign(Initializer.biasFromClassPriors([Float](repeating: 0.1, count: 10)))
        let model = Sequential(Dense(784, 256, initializer: .heNormal, rng: &rng), Activation(.relu),
                               Dense(256, 128, initializer: .heNormal, rng: &rng), Activation(.relu), head)
        model.isTraining = false
        let x = Tensor.normal([64, 784], rng: &rng)
        let labels = (0..<64).map { _ in rng.int(below: 10) }
        let loss = Tensor.withoutGrad { Loss.softmaxCrossEntropy(model(x), labels: labels) }.item
        XCTAssertEqual(loss, Foundation.log(10), accuracy: 0.05)
    }

    func testUnscaledHeadStartsFarFromLogTen() {
        // The contrast: a full-scale He head gives confident, wrong initial predictions.
        var rng = RNG(seed: 2024)
        let model = Sequential(Dense(784, 256, rng: &rng), Activation(.relu), Dense(256, 128, rng: &rng),
                               Activation(.relu), Dense(128, 10, rng: &rng))
        let x = Tensor.normal([64, 784], rng: &rng)
        let labels = (0..<64).map { _ in rng.int(below: 10) }
        let loss = Tensor.withoutGrad { Loss.softmaxCrossEntropy(model(x), labels: labels) }.item
        XCTAssertGreaterThan(abs(loss - Foundation.log(10)), 0.5)
    }

    func testBiasFromClassPriors() {
        XCTAssertEqual(Initializer.biasFromClassPriors([1, 1, 1, 1]), [0, 0, 0, 0])
        let priors: [Float] = [0.5, 0.3, 0.2]
        let b = Initializer.biasFromClassPriors(priors)
        XCTAssertEqual(b.reduce(0, +), 0, accuracy: 1e-6, "centred")
        // softmax(b) recovers the priors.
        let p = Tensor(shape: [1, 3], data: b).softmaxProbabilities()
        assertClose(p, priors, accuracy: 1e-6, "softmax of prior bias")
        // Counts work as well as frequencies.
        assertClose(Initializer.biasFromClassPriors([50, 30, 20]), b, accuracy: 1e-6, "counts")
        // With the prior bias and zero weights, the loss equals the prior's cross-entropy.
        let logits = Tensor(shape: [10, 3], data: (0..<10).flatMap { _ in b })
        let labels = [0, 0, 0, 0, 0, 1, 1, 1, 2, 2]
        let entropy = -(0.5 * Foundation.log(0.5) + 0.3 * Foundation.log(0.3) + 0.2 * Foundation.log(0.2))
        XCTAssertEqual(Double(Loss.softmaxCrossEntropy(logits, labels: labels).item), entropy, accuracy: 1e-5)
        // A zero prior gets a very negative, finite bias.
        let z = Initializer.biasFromClassPriors([1, 0])
        XCTAssertTrue(z.allSatisfy(\.isFinite))
        XCTAssertLessThan(z[1], z[0] - 20)
    }

    func testBiasFromTargetMean() {
        // Targets [N = 3, outputs = 2].
        XCTAssertEqual(Initializer.biasFromTargetMean([1, 10, 2, 20, 3, 30], outputs: 2), [2, 20])
    }

    func testInitializerVariances() {
        let fanIn = 400, fanOut = 100, n = 40_000
        let cases: [(Initializer, Double)] = [
            (.heNormal, 2.0 / 400), (.heUniform, 2.0 / 400), (.lecunNormal, 1.0 / 400), (.lecunUniform, 1.0 / 400),
            (.glorotNormal, 2.0 / 500), (.glorotUniform, 2.0 / 500), (.normal(std: 0.3), 0.09),
        ]
        for (k, (initializer, variance)) in cases.enumerated() {
            var rng = RNG(seed: UInt64(k))
            let w = initializer.sample(count: n, fanIn: fanIn, fanOut: fanOut, rng: &rng).map(Double.init)
            XCTAssertEqual(w.count, n)
            let mean = w.reduce(0, +) / Double(n)
            let v = w.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
            XCTAssertEqual(mean, 0, accuracy: 3 * (variance / Double(n)).squareRoot() + 1e-9, "\(initializer)")
            XCTAssertEqual(v / variance, 1, accuracy: 0.03, "\(initializer)")
        }
        var rng = RNG(seed: 9)
        XCTAssertEqual(Initializer.zeros.sample(count: 5, fanIn: 3, fanOut: 3, rng: &rng), [0, 0, 0, 0, 0])
        // Uniform initialisers stay within their bound √(3·variance).
        let u = Initializer.heUniform.sample(count: 10_000, fanIn: 6, fanOut: 1, rng: &rng)
        XCTAssertLessThanOrEqual(u.map(abs).max()!, 1.0)
        XCTAssertGreaterThan(u.map(abs).max()!, 0.99)
    }

    func testInitializerNames() {
        XCTAssertEqual(Initializer(name: "he_normal"), .heNormal)
        XCTAssertEqual(Initializer(name: "Kaiming-Uniform"), .heUniform)
        XCTAssertEqual(Initializer(name: "xavier"), .glorotNormal)
        XCTAssertEqual(Initializer(name: "glorot_uniform"), .glorotUniform)
        XCTAssertEqual(Initializer(name: "lecun"), .lecunNormal)
        XCTAssertEqual(Initializer(name: "lecun_uniform"), .lecunUniform)
        XCTAssertEqual(Initializer(name: "zeros"), .zeros)
        XCTAssertNil(Initializer(name: "orthogonal"))
    }

    func testLayerInitialisationIsSeeded() {
        var a = RNG(seed: 5), b = RNG(seed: 5), c = RNG(seed: 6)
        XCTAssertEqual(Dense(8, 4, rng: &a).weight.data, Dense(8, 4, rng: &b).weight.data)
        XCTAssertNotEqual(Dense(8, 4, rng: &a).weight.data, Dense(8, 4, rng: &c).weight.data)
        // Dense's scale multiplies the draws.
        var d = RNG(seed: 7), e = RNG(seed: 7)
        let full = Dense(8, 4, rng: &d).weight.data, small = Dense(8, 4, scale: 0.01, rng: &e).weight.data
        assertClose(small, full.map { $0 * 0.01 }, accuracy: 1e-7, "scale")
        // Conv2D fan-in is C·KH·KW.
        var f = RNG(seed: 8)
        let conv = Conv2D(inChannels: 16, outChannels: 64, kernel: 3, rng: &f)
        let w = conv.weight.data.map(Double.init)
        let v = w.reduce(0) { $0 + $1 * $1 } / Double(w.count)
        XCTAssertEqual(v, 2.0 / 144, accuracy: 0.1 * 2.0 / 144)
        XCTAssertEqual(conv.weight.shape, [64, 3, 3, 16])
    }

    /// predict and export-model build models whose weights a checkpoint overwrites: no draws.
    func testWithoutSamplingGivesZerosInsideOnly() {
        var rng = RNG(seed: 1)
        let drawn = Initializer.heNormal.sample(count: 8, fanIn: 4, fanOut: 2, rng: &rng)
        XCTAssertTrue(drawn.contains { $0 != 0 })
        let skipped = Initializer.withoutSampling { () -> [Float] in
            var r = RNG(seed: 1)
            return Initializer.glorotUniform.sample(count: 8, fanIn: 4, fanOut: 2, rng: &r)
        }
        XCTAssertEqual(skipped, [Float](repeating: 0, count: 8))
        var again = RNG(seed: 1)
        XCTAssertEqual(Initializer.heNormal.sample(count: 8, fanIn: 4, fanOut: 2, rng: &again), drawn, "draws again afterwards")
    }
}
