// Losses: values by hand or against a direct Double computation, stability, and central-difference
// gradients for softmax cross-entropy (with and without label smoothing), MSE, Huber and the
// distillation loss.
import TestSupport
import XCTest
import Foundation
import TensorCore
import NN

final class LossTests: XCTestCase {
    /// Mean cross-entropy against (1 − ε)·onehot + ε/C, computed directly in Double.
    func referenceCE(_ logits: Tensor, _ labels: [Int], eps: Double = 0) -> Double {
        let n = logits.shape[0], c = logits.shape[1]
        var total = 0.0
        for r in 0..<n {
            let z = (0..<c).map { Double(logits[r, $0]) }
            let m = z.max()!
            let lse = m + Foundation.log(z.reduce(0) { $0 + Foundation.exp($1 - m) })
            for j in 0..<c {
                let target = (j == labels[r] ? 1 - eps : 0) + eps / Double(c)
                total -= target * (z[j] - lse)
            }
        }
        return total / Double(n)
    }

    // MARK: Softmax cross-entropy

    func testCrossEntropyOfUniformLogitsIsLogC() {
        for c in [2, 10, 100] {
            let loss = Loss.softmaxCrossEntropy(Tensor.zeros([4, c]), labels: [0, 1, 1, 0])
            XCTAssertEqual(loss.item, Foundation.log(Float(c)), accuracy: 1e-5)
            XCTAssertEqual(loss.shape, [])
            // Smoothing does not change the loss of a uniform prediction.
            XCTAssertEqual(Loss.softmaxCrossEntropy(Tensor.zeros([4, c]), labels: [0, 1, 1, 0], labelSmoothing: 0.2).item,
                           Foundation.log(Float(c)), accuracy: 1e-5)
        }
    }

    func testCrossEntropyByHand() {
        // Row [ln 1, ln 2, ln 5] has softmax [1/8, 2/8, 5/8]; labels pick 5/8 and 1/8.
        let z = Tensor(shape: [2, 3], data: [0, Foundation.log(2), Foundation.log(5), 0, Foundation.log(2), Foundation.log(5)])
        let loss = Loss.softmaxCrossEntropy(z, labels: [2, 0])
        XCTAssertEqual(loss.item, Float((-Foundation.log(5.0 / 8) - Foundation.log(1.0 / 8)) / 2), accuracy: 1e-6)
        // Smoothing 0.3 over 3 classes: targets 0.8 / 0.1 / 0.1.
        let smoothed = Loss.softmaxCrossEntropy(z, labels: [2, 0], labelSmoothing: 0.3)
        let logp = [1.0 / 8, 2.0 / 8, 5.0 / 8].map { Foundation.log($0) }
        let row0 = -(0.1 * logp[0] + 0.1 * logp[1] + 0.8 * logp[2]), row1 = -(0.8 * logp[0] + 0.1 * logp[1] + 0.1 * logp[2])
        XCTAssertEqual(smoothed.item, Float((row0 + row1) / 2), accuracy: 1e-6)
    }

    func testCrossEntropyMatchesReference() {
        let z = TestData.normal([6, 5], seed: 1, std: 3)
        let labels = [0, 4, 2, 2, 1, 3]
        XCTAssertEqual(Double(Loss.softmaxCrossEntropy(z, labels: labels).item), referenceCE(z, labels), accuracy: 1e-5)
        XCTAssertEqual(Double(Loss.softmaxCrossEntropy(z, labels: labels, labelSmoothing: 0.1).item),
                       referenceCE(z, labels, eps: 0.1), accuracy: 1e-5)
    }

    func testCrossEntropyIsStableForLargeLogits() {
        let z = Tensor(shape: [2, 2], data: [1000, 0, 0, 1000])
        XCTAssertEqual(Loss.softmaxCrossEntropy(z, labels: [0, 1]).item, 0, accuracy: 1e-6)
        XCTAssertEqual(Loss.softmaxCrossEntropy(z, labels: [1, 0]).item, 1000, accuracy: 1e-3)
        let g = Tensor(shape: [2, 2], data: [1000, 0, 0, 1000], requiresGrad: true)
        Loss.softmaxCrossEntropy(g, labels: [1, 0]).backward()
        XCTAssertTrue(g.grad!.allSatisfy(\.isFinite))
        assertClose(g.grad!, [0.5, -0.5, -0.5, 0.5], accuracy: 1e-6, "saturated gradient")
    }

    func testCrossEntropyGradientIsSoftmaxMinusTargetOverN() {
        let z = TestData.normal([3, 4], seed: 2)
        z.requiresGrad = true
        let labels = [3, 0, 1]
        Loss.softmaxCrossEntropy(z, labels: labels, labelSmoothing: 0.2).backward()
        let p = z.softmaxProbabilities()
        for r in 0..<3 { for j in 0..<4 {
            let target: Float = (j == labels[r] ? 0.8 : 0) + 0.05
            XCTAssertEqual(z.grad![r * 4 + j], (p[r * 4 + j] - target) / 3, accuracy: 1e-6)
        } }
    }

    func testCrossEntropyGradient() {
        let z = TestData.normal([4, 5], seed: 3, std: 2)
        GradCheck.check("softmaxCrossEntropy", wrt: [z], h: 1e-3) { Loss.softmaxCrossEntropy(z, labels: [1, 0, 4, 4]) }
    }

    func testCrossEntropyWithLabelSmoothingGradient() {
        let z = TestData.normal([4, 5], seed: 4, std: 2)
        for eps: Float in [0.1, 0.5] {
            GradCheck.check("softmaxCrossEntropy ε=\(eps)", wrt: [z], h: 1e-3) {
                Loss.softmaxCrossEntropy(z, labels: [2, 3, 0, 1], labelSmoothing: eps)
            }
        }
    }

    // MARK: MSE and Huber

    func testMSEValue() {
        let loss = Loss.mse(Tensor(shape: [3], data: [1, 2, 3]), Tensor(shape: [3], data: [1, 0, 0]))
        XCTAssertEqual(loss.item, 13.0 / 3, accuracy: 1e-6)
        XCTAssertEqual(Loss.mse(Tensor.ones([2, 2]), Tensor.ones([2, 2])).item, 0)
    }

    func testMSEGradient() {
        let p = TestData.normal([4, 3], seed: 5), t = TestData.normal([4, 3], seed: 6)
        GradCheck.check("mse", wrt: [p, t]) { Loss.mse(p, t) }
    }

    func testHuberValueInBothRegimes() {
        // Residuals 0.5 (quadratic: 0.125), −2 (linear: 1.5), 3 (linear: 2.5) with δ = 1.
        let p = Tensor(shape: [3], data: [0.5, -2, 3]), t = Tensor.zeros([3])
        XCTAssertEqual(Loss.huber(p, t).item, (0.125 + 1.5 + 2.5) / 3, accuracy: 1e-6)
        // δ = 2: 0.125, 2, 2·(3 − 1) = 4.
        XCTAssertEqual(Loss.huber(p, t, delta: 2).item, (0.125 + 2 + 4) / 3, accuracy: 1e-6)
        // Small residuals: half the MSE.
        let q = Tensor(shape: [2], data: [0.1, -0.3])
        XCTAssertEqual(Loss.huber(q, Tensor.zeros([2])).item, 0.5 * Loss.mse(q, Tensor.zeros([2])).item, accuracy: 1e-7)
    }

    func testHuberGradientIsClippedResidual() {
        let p = Tensor(shape: [4], data: [0.5, -2, 3, -0.25], requiresGrad: true)
        let t = Tensor(shape: [4], data: [0, 0, 0, 0], requiresGrad: true)
        Loss.huber(p, t).backward()
        XCTAssertEqual(p.grad!, [0.125, -0.25, 0.25, -0.0625])
        XCTAssertEqual(t.grad!, [-0.125, 0.25, -0.25, 0.0625])
    }

    func testHuberGradient() {
        // Residuals in both regimes, away from the kinks at ±δ.
        let t = TestData.normal([3, 4], seed: 7)
        let residuals: [Float] = [0.3, -0.7, 1.5, -2.5, 0.1, 2, -1.3, 0.6, -0.2, 3, -0.45, 1.25]
        let p = Tensor(shape: [3, 4], data: zip(t.data, residuals).map { $0 + $1 })
        GradCheck.check("huber δ=1", wrt: [p, t]) { Loss.huber(p, t) }
        GradCheck.check("huber δ=0.5", wrt: [p, t]) { Loss.huber(p, t, delta: 0.5) }
    }

    // MARK: Distillation

    func testSoftTargetsAreTemperedSoftmax() {
        let z = Tensor(shape: [1, 2], data: [0, 2])
        let p = Loss.softTargets(logits: z, temperature: 2)
        XCTAssertEqual(p.shape, [1, 2])
        assertClose(p.data, [Float(1 / (1 + M_E)), Float(M_E / (1 + M_E))], accuracy: 1e-6, "softmax(z/2)")
    }

    func testDistillationValue() {
        let teacher = TestData.normal([3, 4], seed: 8, std: 2), student = TestData.normal([3, 4], seed: 9, std: 2)
        for t: Float in [1, 2, 4] {
            let p = Loss.softTargets(logits: teacher, temperature: t)
            let loss = Loss.distillation(studentLogits: student, teacherProbabilities: p, temperature: t).item
            // T² · mean over rows of Σ p (log p − log q), q = softmax(z/T), in Double.
            var kl = 0.0
            for r in 0..<3 {
                let z = (0..<4).map { Double(student[r, $0]) / Double(t) }
                let m = z.max()!, lse = m + Foundation.log(z.reduce(0) { $0 + Foundation.exp($1 - m) })
                for j in 0..<4 {
                    let pj = Double(p[r, j])
                    kl += pj * (Foundation.log(pj) - (z[j] - lse))
                }
            }
            XCTAssertEqual(Double(loss), Double(t * t) * kl / 3, accuracy: 1e-5, "T = \(t)")
            XCTAssertGreaterThan(loss, 0)
        }
    }

    func testDistillationOfTeacherItselfIsZero() {
        let teacher = TestData.normal([3, 5], seed: 10, std: 2)
        let p = Loss.softTargets(logits: teacher, temperature: 3)
        XCTAssertEqual(Loss.distillation(studentLogits: teacher, teacherProbabilities: p, temperature: 3).item, 0, accuracy: 1e-5)
    }

    func testDistillationGradient() {
        let teacher = TestData.normal([3, 4], seed: 11, std: 2)
        let z = TestData.normal([3, 4], seed: 12, std: 2)
        for t: Float in [1, 2.5] {
            let p = Loss.softTargets(logits: teacher, temperature: t)
            GradCheck.check("distillation T=\(t)", wrt: [z], h: 1e-3) {
                Loss.distillation(studentLogits: z, teacherProbabilities: p, temperature: t)
            }
        }
        // Hard (one-hot) targets with zeros in p: the 0·log 0 terms are skipped, the gradient still checks.
        let hard = Tensor(shape: [3, 4], data: [1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0])
        GradCheck.check("distillation one-hot", wrt: [z], h: 1e-3) {
            Loss.distillation(studentLogits: z, teacherProbabilities: hard, temperature: 2)
        }
    }
}
