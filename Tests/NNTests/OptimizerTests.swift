// Optimizers: Adam and AdamW against numbers worked out by hand from the update formulas, SGD
// (plain, momentum, Nesterov, weight decay) by hand and on a convex quadratic, and the
// optimizer contract (nil gradients skipped, step counting, changing learning rate).
import TestSupport
import XCTest
import TensorCore
import NN

final class OptimizerTests: XCTestCase {
    /// Sets `p.grad` directly, as a backward pass would.
    func step(_ opt: Optimizer, _ p: Tensor, grad: [Float]) {
        p.grad = grad
        opt.step([p])
    }

    // MARK: Adam / AdamW by hand
    //
    // Common setting: p₀ = [1, −2, 0.5], lr = 0.1, β₁ = 0.9, β₂ = 0.999, ε = 1e−8, λ = 0.1,
    // g₁ = [0.1, −0.2, 0.3], g₂ = [0.5, 0.1, −0.2].

    func testAdamWithL2WeightDecayMatchesHandComputation() {
        let p = Tensor(shape: [3], data: [1, -2, 0.5], requiresGrad: true)
        let adam = Adam(learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1)
        XCTAssertFalse(adam.decoupledWeightDecay)

        // Step 1. g' = g₁ + λp₀ = [0.1 + 0.1, −0.2 − 0.2, 0.3 + 0.05] = [0.2, −0.4, 0.35]
        // m = 0.1·g' = [0.02, −0.04, 0.035];  v = 0.001·g'² = [4e−5, 1.6e−4, 1.225e−4]
        // m̂ = m / (1 − 0.9) = g';  v̂ = v / (1 − 0.999) = g'²;  so the step is lr·sign(g')·|g'|/(|g'| + ε):
        // p₁ = p₀ − 0.1·[0.2/(0.2 + 1e−8), −0.4/(0.4 + 1e−8), 0.35/(0.35 + 1e−8)]
        //    = [0.900000005, −1.9000000025, 0.40000000286]
        step(adam, p, grad: [0.1, -0.2, 0.3])
        XCTAssertEqual(adam.stepCount, 1)
        assertClose(p.data, [0.900000005, -1.9000000025, 0.40000000286], accuracy: 1e-7, "Adam step 1")

        // Step 2. g' = g₂ + λp₁ = [0.5 + 0.09, 0.1 − 0.19, −0.2 + 0.04] = [0.59, −0.09, −0.16]
        // m = 0.9·[0.02, −0.04, 0.035] + 0.1·g' = [0.077, −0.045, 0.0155]
        // v = 0.999·[4e−5, 1.6e−4, 1.225e−4] + 0.001·g'² = [3.8806e−4, 1.6794e−4, 1.4797750e−4]
        // m̂ = m / (1 − 0.81) = [0.405263158, −0.236842105, 0.081578947]
        // v̂ = v / (1 − 0.998001) = [0.194127064, 0.084012006, 0.074025763]
        // p₂ = p₁ − 0.1·m̂/(√v̂ + ε) = [0.808019864, −1.818287555, 0.370016205]
        step(adam, p, grad: [0.5, 0.1, -0.2])
        XCTAssertEqual(adam.stepCount, 2)
        assertClose(p.data, [0.808019864, -1.818287555, 0.370016205], accuracy: 2e-6, "Adam step 2")
    }

    func testAdamWDecoupledWeightDecayMatchesHandComputation() {
        let p = Tensor(shape: [3], data: [1, -2, 0.5], requiresGrad: true)
        let adamW = Adam.adamW(learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1)
        XCTAssertTrue(adamW.decoupledWeightDecay)
        XCTAssertEqual(adamW.weightDecay, 0.1)

        // Step 1. The gradient is not decayed: m̂ = g₁, v̂ = g₁², and the weights shrink by 1 − lr·λ = 0.99 first:
        // p₁ = 0.99·p₀ − 0.1·sign(g₁)·|g₁|/(|g₁| + ε) = [0.99 − 0.1, −1.98 + 0.1, 0.495 − 0.1] (+ ε terms)
        //    = [0.89000001, −1.880000005, 0.39500000333]
        step(adamW, p, grad: [0.1, -0.2, 0.3])
        assertClose(p.data, [0.89000001, -1.880000005, 0.39500000333], accuracy: 1e-7, "AdamW step 1")

        // Step 2. m = 0.9·0.1·g₁ + 0.1·g₂ = [0.059, −0.008, 0.007]
        // v = 0.999·0.001·g₁² + 0.001·g₂² = [2.5999e−4, 4.996e−5, 1.2991e−4]
        // m̂ = m / 0.19 = [0.310526316, −0.042105263, 0.036842105]
        // v̂ = v / 0.001999 = [0.130060030, 0.024992496, 0.064987494]
        // p₂ = 0.99·p₁ − 0.1·m̂/(√v̂ + ε) = [0.794995386, −1.834566303, 0.376597951]
        step(adamW, p, grad: [0.5, 0.1, -0.2])
        assertClose(p.data, [0.794995386, -1.834566303, 0.376597951], accuracy: 2e-6, "AdamW step 2")
    }

    func testAdamWDefaultsAndEquivalenceWithoutDecay() {
        let w = Adam.adamW()
        XCTAssertEqual(w.weightDecay, 0.01)
        XCTAssertEqual(w.learningRate, 1e-3)
        // With λ = 0 the two variants coincide exactly.
        let a = Tensor(shape: [3], data: [1, -2, 0.5], requiresGrad: true)
        let b = Tensor(shape: [3], data: [1, -2, 0.5], requiresGrad: true)
        let adam = Adam(learningRate: 0.05), adamW = Adam.adamW(learningRate: 0.05, weightDecay: 0)
        for g: [Float] in [[0.1, -0.2, 0.3], [0.5, 0.1, -0.2], [-1, 2, 0]] {
            step(adam, a, grad: g)
            step(adamW, b, grad: g)
        }
        XCTAssertEqual(a.data, b.data)
    }

    func testAdamSkipsParametersWithoutGradient() {
        let p = Tensor(shape: [2], data: [1, 2], requiresGrad: true)
        let q = Tensor(shape: [2], data: [3, 4], requiresGrad: true)
        let adam = Adam(learningRate: 0.1)
        p.grad = [1, -1]
        adam.step([p, q])
        XCTAssertEqual(q.data, [3, 4])
        assertClose(p.data, [0.9, 2.1], accuracy: 1e-6, "first Adam step moves by lr")
        // q's moments start fresh when it first gets a gradient, but the bias correction uses t = 2.
        p.grad = nil
        q.grad = [2, 2]
        adam.step([p, q])
        assertClose(p.data, [0.9, 2.1], accuracy: 1e-6, "p untouched")
        // m = 0.2, v = 0.004, t = 2: m̂ = 0.2/0.19, v̂ = 0.004/0.001999, step = 0.1·m̂/√v̂ = 0.0743
        let mhat = 0.2 / 0.19, vhat = 0.004 / 0.001999
        let expected = 3 - 0.1 * mhat / vhat.squareRoot()
        XCTAssertEqual(Double(q.data[0]), expected, accuracy: 1e-5)
    }

    // MARK: SGD by hand

    func testPlainSGDWithWeightDecay() {
        let p = Tensor(shape: [2], data: [1, -2], requiresGrad: true)
        let sgd = SGD(learningRate: 0.1, weightDecay: 0.5)
        // p ← p − lr·(g + λp) = [1 − 0.1·(0.4 + 0.5), −2 − 0.1·(−1 − 1)] = [0.91, −1.8]
        step(sgd, p, grad: [0.4, -1])
        assertClose(p.data, [0.91, -1.8], accuracy: 1e-6, "SGD")
        XCTAssertEqual(sgd.stepCount, 1)
    }

    func testSGDMomentumByHand() {
        let p = Tensor(shape: [1], data: [1], requiresGrad: true)
        let sgd = SGD(learningRate: 0.1, momentum: 0.9)
        step(sgd, p, grad: [1])      // v = 1, p = 1 − 0.1 = 0.9
        XCTAssertEqual(p.data[0], 0.9, accuracy: 1e-6)
        step(sgd, p, grad: [0.5])    // v = 0.9 + 0.5 = 1.4, p = 0.9 − 0.14 = 0.76
        XCTAssertEqual(p.data[0], 0.76, accuracy: 1e-6)
    }

    func testSGDNesterovByHand() {
        let p = Tensor(shape: [1], data: [1], requiresGrad: true)
        let sgd = SGD(learningRate: 0.1, momentum: 0.9, nesterov: true)
        step(sgd, p, grad: [1])      // v = 1, step = g + μv = 1.9, p = 0.81
        XCTAssertEqual(p.data[0], 0.81, accuracy: 1e-6)
        step(sgd, p, grad: [0.5])    // v = 1.4, step = 0.5 + 1.26 = 1.76, p = 0.634
        XCTAssertEqual(p.data[0], 0.634, accuracy: 1e-6)
    }

    // MARK: Convergence on a convex quadratic

    /// f(p) = ½ Σ aᵢ (pᵢ − cᵢ)², an ill-conditioned bowl with minimum at c.
    func minimise(_ opt: Optimizer, steps: Int) -> [Float] {
        let a = Tensor(shape: [3], data: [1, 10, 0.2]), c = Tensor(shape: [3], data: [3, -1, 2])
        let p = Tensor(shape: [3], data: [0, 0, 0], requiresGrad: true)
        for _ in 0..<steps {
            p.zeroGrad()
            (((p - c).square() * a).sum() * 0.5).backward()
            opt.step([p])
        }
        return zip(p.data, c.data).map { abs($0 - $1) }
    }

    func testSGDMomentumConvergesOnQuadratic() {
        let err = minimise(SGD(learningRate: 0.05, momentum: 0.9), steps: 600)
        XCTAssertLessThan(err.max()!, 1e-4, "\(err)")
    }

    func testSGDNesterovConvergesOnQuadratic() {
        let err = minimise(SGD(learningRate: 0.05, momentum: 0.9, nesterov: true), steps: 600)
        XCTAssertLessThan(err.max()!, 1e-4, "\(err)")
    }

    func testPlainSGDIsSlowerThanMomentumOnQuadratic() {
        // Contrast: without momentum the flat direction (a = 0.2) is still far off after the same steps.
        let err = minimise(SGD(learningRate: 0.05), steps: 100)
        XCTAssertGreaterThan(err.max()!, 1e-2)
    }

    func testAdamConvergesOnQuadratic() {
        let opt = Adam(learningRate: 0.05)
        var err = minimise(opt, steps: 1)
        XCTAssertGreaterThan(err.max()!, 1)
        err = minimise(Adam(learningRate: 0.05), steps: 2000)
        XCTAssertLessThan(err.max()!, 1e-3, "\(err)")
    }

    func testLearningRateCanChangeBetweenSteps() {
        let p = Tensor(shape: [1], data: [1], requiresGrad: true)
        let sgd = SGD(learningRate: 0.1)
        step(sgd, p, grad: [1])
        sgd.learningRate = LRSchedule.step(every: 1, gamma: 0.5).rate(base: 0.1, step: 1)
        step(sgd, p, grad: [1])
        XCTAssertEqual(p.data[0], 1 - 0.1 - 0.05, accuracy: 1e-6)
    }
}
