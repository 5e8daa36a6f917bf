// GradientCheck: central-difference gradient checking, for the test suites and for
// `hpsearch check` (which checks a user's model on a tiny instance).
//
// For a function f of some tensors, the scalar L = Σ f(·) ⊙ W with fixed random weights W is
// differentiated by the tape (analytic) and by central differences (numeric):
//   ∂L/∂xᵢ ≈ (L(xᵢ + h) − L(xᵢ − h)) / 2h,
// with each L evaluated from Float outputs but summed and differenced in Double. An element
// passes when |analytic − numeric| ≤ tolerance · max(1, |numeric|).

public enum GradientCheck {
    public struct Mismatch: Sendable, CustomStringConvertible {
        public var input: Int, index: Int
        public var analytic: Double, numeric: Double
        public var description: String { "input \(input)[\(index)]: analytic \(analytic), numeric \(numeric)" }
    }

    public struct Result: Sendable {
        public var mismatches: [Mismatch] = []
        /// Per input, the largest |numeric gradient| seen (0 means the loss does not depend on it).
        public var largestNumeric: [Double] = []
        /// Elements compared.
        public var checked = 0
        /// The largest |analytic − numeric| / max(1, |numeric|) seen.
        public var worstError = 0.0
    }

    /// Compares the tape's gradient of `f` with central differences for every element of each
    /// input, or for `maxPerInput` elements drawn at random (seeded) from each larger input.
    /// `f` must be deterministic (no dropout masks redrawn between calls).
    public static func evaluate(wrt inputs: [Tensor], h: Float = 1e-2, tolerance: Double = 2e-2, seed: UInt64 = 0xC0FFEE,
                                maxPerInput: Int = .max, _ f: () -> Tensor) -> Result {
        for t in inputs { t.requiresGrad = true; t.zeroGrad() }
        let out = f()
        var rng = RNG(seed: seed, stream: 77)
        let weights = rng.normalArray(out.count)
        (out * Tensor(shape: out.shape, data: weights)).sum().backward()
        let analytic = inputs.map { $0.grad ?? [Float](repeating: 0, count: $0.count) }
        for t in inputs { t.zeroGrad() }

        func loss() -> Double {
            let o = Tensor.withoutGrad { f() }
            precondition(o.shape == out.shape, "f changed its output shape")
            var s = 0.0
            for (v, w) in zip(o.data, weights) { s += Double(v) * Double(w) }
            return s
        }

        var result = Result()
        for (k, t) in inputs.enumerated() {
            var largest = 0.0
            let indices = t.count <= maxPerInput ? Array(0..<t.count) : Array(rng.permutation(t.count).prefix(maxPerInput))
            for i in indices {
                let v = t.data[i]
                let plus = v + h, minus = v - h
                t.data[i] = plus
                let lp = loss()
                t.data[i] = minus
                let lm = loss()
                t.data[i] = v
                let numeric = (lp - lm) / (Double(plus) - Double(minus))
                let a = Double(analytic[k][i])
                largest = Swift.max(largest, Swift.abs(numeric))
                result.checked += 1
                let error = Swift.abs(a - numeric) / Swift.max(1, Swift.abs(numeric))
                result.worstError = Swift.max(result.worstError, error.isNaN ? .infinity : error)
                if !(error <= tolerance) {
                    result.mismatches.append(Mismatch(input: k, index: i, analytic: a, numeric: numeric))
                }
            }
            result.largestNumeric.append(largest)
        }
        return result
    }
}
