// Distribution: what a parameter may take, as an inverse CDF that samplers feed with uniforms.
import Foundation

/// A parameter's search distribution (W&B's names in the sweep file). Bounds are inclusive. The
/// parser guarantees the invariants each case states; hand-built values must keep them too.
public enum Distribution: Sendable, Hashable, CustomStringConvertible {
    /// Always this value (`value:`).
    case constant(ParameterValue)
    /// One of `values` (non-empty, distinct), with the given probabilities (one per value, ≥ 0,
    /// summing to 1) or equally likely when nil.
    case categorical(values: [ParameterValue], probabilities: [Double]?)
    /// An integer in min...max, each equally likely; min < max.
    case intUniform(min: Int, max: Int)
    /// A real number in [min, max]; min < max.
    case uniform(min: Double, max: Double)
    /// A multiple of q in [min, max]; q > 0 and at least one multiple lies in the range.
    case qUniform(min: Double, max: Double, q: Double)
    /// A real number in [min, max], uniform in log space; 0 < min < max.
    case logUniformValues(min: Double, max: Double)
    /// A multiple of q in [min, max], uniform in log space before rounding; 0 < min < max, q > 0.
    case qLogUniformValues(min: Double, max: Double, q: Double)
    /// Normal with mean mu and standard deviation sigma > 0.
    case normal(mu: Double, sigma: Double)
    /// exp(X) for X normal(mu, sigma); sigma > 0.
    case logNormal(mu: Double, sigma: Double)

    /// The sweep file's name for this distribution (`log_uniform_values`, …).
    public var name: String {
        switch self {
        case .constant: "constant"
        case .categorical: "categorical"
        case .intUniform: "int_uniform"
        case .uniform: "uniform"
        case .qUniform: "q_uniform"
        case .logUniformValues: "log_uniform_values"
        case .qLogUniformValues: "q_log_uniform_values"
        case .normal: "normal"
        case .logNormal: "log_normal"
        }
    }

    /// The inverse CDF: maps u in [0, 1) to a value, monotonically for ordered distributions, so
    /// that random and Sobol samplers can both feed it uniforms. u outside [0, 1) is clamped.
    ///
    /// - `intUniform`: each of min...max on an equal share of [0, 1); yields `.int`.
    /// - `categorical`: by cumulative probability (equal shares when nil), in list order.
    /// - q-variants: the continuous value rounded to the nearest multiple of q, kept within
    ///   [min, max]; `.int` when q is a whole number, `.double` otherwise.
    /// - `normal`/`logNormal`: through an inverse normal CDF accurate to about 1e-15.
    public func value(atQuantile u: Double) -> ParameterValue {
        let u = u.isNaN ? 0 : Swift.min(Swift.max(u, 0), 1.0.nextDown)
        switch self {
        case .constant(let v):
            return v
        case .categorical(let values, let probabilities):
            guard let probabilities else { return values[Swift.min(Int(u * Double(values.count)), values.count - 1)] }
            var cumulative = 0.0
            for (value, p) in zip(values, probabilities) {
                cumulative += p
                if u < cumulative { return value }
            }
            return values[probabilities.lastIndex { $0 > 0 } ?? values.count - 1]
        case .intUniform(let lo, let hi):
            let span = hi - lo
            return .int(lo + Swift.min(Int(u * (Double(span) + 1)), span))
        case .uniform(let lo, let hi):
            return .double(Swift.min(lo + u * (hi - lo), hi))
        case .qUniform(let lo, let hi, let q):
            return Self.quantized(lo + u * (hi - lo), lo, hi, q)
        case .logUniformValues(let lo, let hi):
            return .double(Self.logUniform(u, lo, hi))
        case .qLogUniformValues(let lo, let hi, let q):
            return Self.quantized(Self.logUniform(u, lo, hi), lo, hi, q)
        case .normal(let mu, let sigma):
            return .double(mu + sigma * StandardNormal.quantile(Swift.max(u, .leastNormalMagnitude)))
        case .logNormal(let mu, let sigma):
            return .double(exp(mu + sigma * StandardNormal.quantile(Swift.max(u, .leastNormalMagnitude))))
        }
    }

    /// `value(atQuantile: 0.5)`; for `categorical`, the first listed value.
    public var median: ParameterValue {
        switch self {
        case .categorical(let values, _): values[0]
        default: value(atQuantile: 0.5)
        }
    }

    /// Whether `v` is a possible value. Numbers match across `.int` and `.double` (`2.0` is in
    /// `intUniform(1, 3)`); strings and bools match only themselves.
    public func contains(_ v: ParameterValue) -> Bool { canonical(v) != nil }

    /// `v` in this distribution's own form (`.int(2)` for `2.0` in an `intUniform`, the listed
    /// element for a categorical, `.int` for whole-number q), or nil when it is not a possible value.
    public func canonical(_ v: ParameterValue) -> ParameterValue? {
        switch self {
        case .constant(let c):
            return c.matches(v) ? c : nil
        case .categorical(let values, _):
            return values.first { $0.matches(v) }
        case .intUniform(let lo, let hi):
            guard let i = v.intValue, lo <= i, i <= hi else { return nil }
            return .int(i)
        case .uniform(let lo, let hi), .logUniformValues(let lo, let hi):
            guard let x = v.doubleValue, lo <= x, x <= hi else { return nil }
            return .double(x)
        case .qUniform(let lo, let hi, let q), .qLogUniformValues(let lo, let hi, let q):
            guard let x = v.doubleValue, x.isFinite else { return nil }
            let k = (x / q).rounded()
            guard Swift.abs(x / q - k) <= 1e-9 * Swift.max(1, Swift.abs(k)),
                  let range = Self.multiples(lo, hi, q), range.contains(k) else { return nil }
            return Self.multiple(k, q, lo, hi)
        case .normal:
            guard let x = v.doubleValue, x.isFinite else { return nil }
            return .double(x)
        case .logNormal:
            guard let x = v.doubleValue, x.isFinite, x > 0 else { return nil }
            return .double(x)
        }
    }

    /// Whether the parameter is best searched, plotted and compared on a log scale.
    public var isLogarithmic: Bool {
        switch self {
        case .logUniformValues, .qLogUniformValues, .logNormal: true
        default: false
        }
    }

    /// Constant or categorical: the values have no order a sampler could exploit.
    public var isCategorical: Bool {
        switch self {
        case .constant, .categorical: true
        default: false
        }
    }

    /// The smallest and largest possible numeric values (infinite for `normal`; `logNormal`'s lower
    /// bound is the least positive double); nil when some value is not a number.
    var numericBounds: (lower: Double, upper: Double)? {
        switch self {
        case .constant(let v):
            return v.doubleValue.map { ($0, $0) }
        case .categorical(let values, _):
            let numbers = values.compactMap(\.doubleValue)
            guard numbers.count == values.count, let lo = numbers.min(), let hi = numbers.max() else { return nil }
            return (lo, hi)
        case .intUniform(let lo, let hi): return (Double(lo), Double(hi))
        case .uniform(let lo, let hi), .logUniformValues(let lo, let hi): return (lo, hi)
        case .qUniform(let lo, let hi, let q), .qLogUniformValues(let lo, let hi, let q):
            guard let k = Self.multiples(lo, hi, q) else { return nil }
            return (Swift.max(k.lowerBound * q, lo), Swift.min(k.upperBound * q, hi))
        case .normal: return (-.infinity, .infinity)
        case .logNormal: return (.leastNonzeroMagnitude, .infinity)
        }
    }

    /// What the values are, for "expected …" in messages: `a number in [0.0001, 0.01] (log scale)`.
    public var description: String {
        switch self {
        case .constant(let v): "the constant \(v)"
        case .categorical(let values, _): "one of " + values.map(\.description).joined(separator: ", ")
        case .intUniform(let lo, let hi): "an integer in [\(lo), \(hi)]"
        case .uniform(let lo, let hi): "a number in [\(lo.compact), \(hi.compact)]"
        case .qUniform(let lo, let hi, let q): "a multiple of \(q.compact) in [\(lo.compact), \(hi.compact)]"
        case .logUniformValues(let lo, let hi): "a number in [\(lo.compact), \(hi.compact)] (log scale)"
        case .qLogUniformValues(let lo, let hi, let q):
            "a multiple of \(q.compact) in [\(lo.compact), \(hi.compact)] (log scale)"
        case .normal(let mu, let sigma): "a number (normal, mu \(mu.compact), sigma \(sigma.compact))"
        case .logNormal(let mu, let sigma): "a positive number (log_normal, mu \(mu.compact), sigma \(sigma.compact))"
        }
    }

    // MARK: Helpers

    private static func logUniform(_ u: Double, _ lo: Double, _ hi: Double) -> Double {
        Swift.min(Swift.max(lo * exp(u * log(hi / lo)), lo), hi)
    }

    /// The multipliers k with k·q in [lo, hi], allowing for rounding in lo/q and hi/q; nil when no
    /// multiple of q lies in the range.
    static func multiples(_ lo: Double, _ hi: Double, _ q: Double) -> ClosedRange<Double>? {
        let first = (lo / q - 1e-9).rounded(.up), last = (hi / q + 1e-9).rounded(.down)
        return first <= last ? first...last : nil
    }

    /// x rounded to the nearest multiple of q within [lo, hi].
    private static func quantized(_ x: Double, _ lo: Double, _ hi: Double, _ q: Double) -> ParameterValue {
        guard let k = multiples(lo, hi, q) else { return .double(Swift.min(Swift.max(x, lo), hi)) }
        return multiple(Swift.min(Swift.max((x / q).rounded(), k.lowerBound), k.upperBound), q, lo, hi)
    }

    /// k·q: exact for whole-number q (as `.int`) and for q = 1/n (0.1 gives 0.3, not
    /// 0.30000000000000004); otherwise kept within [lo, hi], which k·q may miss by an ulp.
    private static func multiple(_ k: Double, _ q: Double, _ lo: Double, _ hi: Double) -> ParameterValue {
        if q >= 1, q == q.rounded(), let i = Int(exactly: k * q) { return .int(i) }
        let n = (1 / q).rounded()
        let x = n >= 1 && Swift.abs(1 / q - n) <= 1e-9 * n ? k / n : k * q
        return .double(Swift.min(Swift.max(x, lo), hi))
    }
}
