// GradCheck: XCTest assertions over TensorCore's GradientCheck, shared by every test target.
import XCTest
import TensorCore

public typealias GradCheckMismatch = GradientCheck.Mismatch
public typealias GradCheckResult = GradientCheck.Result

public enum GradCheck {
    /// Runs the check without asserting (so that the checker itself can be tested).
    public static func evaluate(wrt inputs: [Tensor], h: Float = 1e-2, tolerance: Double = 2e-2, seed: UInt64 = 0xC0FFEE,
                                _ f: () -> Tensor) -> GradCheckResult {
        GradientCheck.evaluate(wrt: inputs, h: h, tolerance: tolerance, seed: seed, f)
    }

    /// Asserts that the analytic gradient of `f` with respect to every tensor in `inputs` matches
    /// central differences, and that the output depends on each input at all.
    public static func check(_ name: String, wrt inputs: [Tensor], h: Float = 1e-2, tolerance: Double = 2e-2,
                      file: StaticString = #filePath, line: UInt = #line, _ f: () -> Tensor) {
        let r = evaluate(wrt: inputs, h: h, tolerance: tolerance, f)
        XCTAssertEqual(r.checked, inputs.reduce(0) { $0 + $1.count }, "\(name): not every element was checked",
                       file: file, line: line)
        XCTAssertTrue(r.mismatches.isEmpty,
                      "\(name): \(r.mismatches.count) gradient mismatches, first: \(r.mismatches.prefix(5).map(\.description))",
                      file: file, line: line)
        for (k, largest) in r.largestNumeric.enumerated() {
            XCTAssertGreaterThan(largest, 1e-4, "\(name): output does not depend on input \(k)", file: file, line: line)
        }
    }
}

/// Test-data helpers.
public enum TestData {
    /// Normal values of `shape` (requiresGrad off; GradCheck turns it on).
    public static func normal(_ shape: [Int], seed: UInt64, std: Float = 1) -> Tensor {
        var rng = RNG(seed: seed)
        return Tensor.normal(shape, std: std, rng: &rng)
    }

    /// Uniform values in [lo, hi).
    public static func uniform(_ shape: [Int], _ lo: Float, _ hi: Float, seed: UInt64) -> Tensor {
        var rng = RNG(seed: seed)
        return Tensor.uniform(shape, lo, hi, rng: &rng)
    }

    /// Values whose magnitude lies in [lo, hi) with a random sign: away from 0 (for kinks at 0).
    public static func awayFromZero(_ shape: [Int], _ lo: Float = 0.2, _ hi: Float = 1.5, seed: UInt64) -> Tensor {
        var rng = RNG(seed: seed)
        let n = shape.reduce(1, *)
        return Tensor(shape: shape, data: (0..<n).map { _ in
            let m = rng.uniform(lo, hi)
            return rng.bernoulli(0.5) ? m : -m
        })
    }

    /// Distinct values spaced `gap` apart in a random order, symmetric about 0 and never within
    /// gap/2 of it: no ties (for max and max pooling) and no zeros (for relu, abs).
    public static func spaced(_ shape: [Int], gap: Float = 0.1, seed: UInt64) -> Tensor {
        var rng = RNG(seed: seed)
        let n = shape.reduce(1, *)
        let perm = rng.permutation(n)
        return Tensor(shape: shape, data: perm.map { (Float($0) + 0.5 - Float(n / 2)) * gap })
    }
}

/// Asserts two Float arrays agree elementwise within `accuracy`.
public func assertClose(_ a: [Float], _ b: [Float], accuracy: Float = 1e-5, _ message: String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "\(message): sizes differ", file: file, line: line)
    var bad = 0
    for (i, (x, y)) in zip(a, b).enumerated() where !(Swift.abs(x - y) <= accuracy * Swift.max(1, Swift.abs(y))) {
        if bad < 5 { XCTFail("\(message): element \(i): \(x) vs \(y)", file: file, line: line) }
        bad += 1
    }
}
