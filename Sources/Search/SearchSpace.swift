// SearchSpace: how many distinct configurations a sweep's space holds, listing them when few, and
// the preflight check that refuses a budget the space cannot fill.
import Yams

/// Counting and listing the configurations a sampler can produce.
public enum SearchSpace {
    /// `allConfigurations` lists at most this many.
    public static let enumerationLimit = 1_000_000
    /// Combinations of the condition-naming parameters' values explored before `distinctConfigurations` gives up.
    static let countingNodeLimit = 10_000_000

    /// The number of distinct configurations the samplers can produce, when every parameter that
    /// some configuration leaves active is discrete (constant, categorical with its values of
    /// non-zero probability, int_uniform, q_uniform, q_log_uniform_values: the multiples of q in
    /// range); nil when one such parameter is continuous (infinitely many configurations).
    ///
    /// Conditions are counted exactly: a configuration's inactive parameters are absent, so
    /// `{optimizer: [adam, sgd], momentum: [0.9, 0.99] when optimizer == sgd}` has 3, not 4. The
    /// parameters that conditions name are enumerated (values that no condition lists are counted
    /// as one class), the others multiplied in. Saturates at `Int.max`, which it also returns in
    /// the unlikely case of more than 10⁷ combinations of condition-naming values.
    public static func distinctConfigurations(_ spec: SweepSpec) -> Int? {
        let order = spec.dependencyOrder()
        var mentioned: [String: [ParameterValue]] = [:]
        for p in order {
            for (name, values) in p.when { mentioned[name, default: []] += values }
        }
        // For each condition-naming parameter: its values grouped into classes that every
        // condition treats alike, as (representative, how many values).
        var classes: [String: [(value: ParameterValue, multiplicity: Int)]] = [:]
        for p in order where mentioned[p.name] != nil {
            guard let c = valueClasses(p.distribution, mentioned: mentioned[p.name]!) else {
                // Continuous: infinite whenever it can be active, which the walk below finds out.
                continue
            }
            classes[p.name] = c
        }
        var budget = countingNodeLimit
        var config = Configuration()
        do {
            return try count(order, 0, &config, classes, &budget)
        } catch CountingStop.infinite {
            return nil
        } catch {
            return Int.max
        }
    }

    /// Every distinct configuration, in a fixed order (parameters in dependency order, values in
    /// their distribution's order); nil when there are infinitely many or more than `limit`.
    public static func allConfigurations(_ spec: SweepSpec, limit: Int = enumerationLimit) -> [Configuration]? {
        guard let n = distinctConfigurations(spec), n <= limit else { return nil }
        let order = spec.dependencyOrder()
        var result: [Configuration] = []
        result.reserveCapacity(n)
        var config = Configuration()
        func walk(_ i: Int) {
            guard i < order.count else { return result.append(config) }
            let p = order[i]
            guard p.isActive(in: config) else { return walk(i + 1) }
            for v in p.distribution.drawableValues(limit: n) ?? [] {
                config[p.name] = v
                walk(i + 1)
            }
            config[p.name] = nil
        }
        walk(0)
        return result
    }

    private enum CountingStop: Error { case infinite, tooLarge }

    private static func count(_ order: [ParameterSpec], _ i: Int, _ config: inout Configuration,
                              _ classes: [String: [(value: ParameterValue, multiplicity: Int)]],
                              _ budget: inout Int) throws -> Int {
        budget -= 1
        guard budget > 0 else { throw CountingStop.tooLarge }
        guard i < order.count else { return 1 }
        let p = order[i]
        guard p.isActive(in: config) else { return try count(order, i + 1, &config, classes, &budget) }
        guard let n = p.distribution.drawableCount else { throw CountingStop.infinite }
        guard let split = classes[p.name] else {
            return saturatingProduct(n, try count(order, i + 1, &config, classes, &budget))
        }
        var total = 0
        for (value, multiplicity) in split {
            config[p.name] = value
            total = saturatingSum(total, saturatingProduct(multiplicity, try count(order, i + 1, &config, classes, &budget)))
        }
        config[p.name] = nil
        return total
    }

    /// The values of a discrete distribution grouped so that each value a condition lists is a
    /// class of its own and all the others form one class; nil when continuous.
    static func valueClasses(_ d: Distribution, mentioned: [ParameterValue]) -> [(value: ParameterValue, multiplicity: Int)]? {
        guard let n = d.drawableCount else { return nil }
        var listed: [ParameterValue] = []
        for v in mentioned {
            if let c = d.drawableCanonical(v), !listed.contains(where: { $0.matches(c) }) { listed.append(c) }
        }
        var result = listed.map { (value: $0, multiplicity: 1) }
        let rest = n - listed.count
        if rest > 0 {
            // A value no condition lists: one of the first listed.count + 1 values is.
            for j in 0...listed.count {
                let v = d.drawableValue(at: j)
                if !listed.contains(where: { $0.matches(v) }) {
                    result.append((v, rest))
                    break
                }
            }
        }
        return result
    }

    static func saturatingProduct(_ a: Int, _ b: Int) -> Int {
        let (p, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? Int.max : p
    }

    static func saturatingSum(_ a: Int, _ b: Int) -> Int {
        let (s, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int.max : s
    }
}

extension Distribution {
    /// How many distinct values `value(atQuantile:)` can return; nil when continuous. Categorical
    /// values of probability 0 are never drawn and not counted.
    var drawableCount: Int? {
        switch self {
        case .constant: return 1
        case .categorical(let values, let probabilities):
            return probabilities.map { $0.filter { $0 > 0 }.count } ?? values.count
        case .intUniform(let lo, let hi):
            let (span, overflow) = hi.subtractingReportingOverflow(lo)
            return overflow || span == Int.max ? Int.max : span + 1
        case .qUniform(let lo, let hi, let q), .qLogUniformValues(let lo, let hi, let q):
            guard let k = Self.multiples(lo, hi, q) else { return 1 }
            let n = k.upperBound - k.lowerBound + 1
            return n >= Double(Int.max) ? Int.max : Int(n)
        case .uniform, .logUniformValues, .normal, .logNormal:
            return nil
        }
    }

    /// The `j`-th drawable value in increasing order (list order for categoricals), j in 0..<drawableCount.
    func drawableValue(at j: Int) -> ParameterValue {
        switch self {
        case .constant(let v): return v
        case .categorical(let values, let probabilities):
            guard let probabilities else { return values[j] }
            return zip(values, probabilities).filter { $0.1 > 0 }.map(\.0)[j]
        case .intUniform(let lo, _): return .int(lo + j)
        case .qUniform(let lo, let hi, let q), .qLogUniformValues(let lo, let hi, let q):
            guard let k = Self.multiples(lo, hi, q) else { return value(atQuantile: 0) }
            let x = (k.lowerBound + Double(j)) * q
            return canonical(.double(x)) ?? .double(Swift.min(Swift.max(x, lo), hi))
        case .uniform, .logUniformValues, .normal, .logNormal:
            return value(atQuantile: 0)
        }
    }

    /// `canonical(v)` when `value(atQuantile:)` can return it (not a categorical value of probability 0).
    func drawableCanonical(_ v: ParameterValue) -> ParameterValue? {
        guard let c = canonical(v) else { return nil }
        if case .categorical(let values, let probabilities?) = self,
           let i = values.firstIndex(of: c), probabilities[i] <= 0 { return nil }
        return c
    }

    /// Every drawable value, in the order of `drawableValue(at:)`; nil when continuous or more than `limit`.
    func drawableValues(limit: Int) -> [ParameterValue]? {
        guard let n = drawableCount, n <= limit else { return nil }
        if case .categorical(let values, let probabilities) = self {
            guard let probabilities else { return values }
            return zip(values, probabilities).filter { $0.1 > 0 }.map(\.0)
        }
        return (0..<n).map(drawableValue(at:))
    }
}

extension SweepSpec {
    /// `SearchSpace.distinctConfigurations(self)`: nil when infinite.
    public var distinctConfigurationCount: Int? { SearchSpace.distinctConfigurations(self) }

    /// Where `budget.trials`'s value is written in `text` (the whole file when it cannot be found).
    var budgetTrialsLocation: SourceLocation {
        let whole = SourceLocation(file: file, line: 0, column: 0)
        guard let root = try? Yams.compose(yaml: text), case .mapping(let top) = root,
              case .mapping(let budget)? = top.first(where: { $0.key.string == "budget" })?.value,
              let trials = budget.first(where: { $0.key.string == "trials" })?.value,
              let mark = trials.mark else { return whole }
        return SourceLocation(file: file, line: mark.line, column: mark.column)
    }
}

/// Refuses a sweep that cannot run as written, before any trial starts: today, a `budget.trials`
/// larger than the number of distinct configurations of a wholly discrete space (the samplers
/// never repeat a configuration). Throws `SweepSpecError` at `budget.trials` in the sweep file.
public func preflight(_ spec: SweepSpec) throws {
    let repeats = max(spec.repeats, 1)
    guard let n = SearchSpace.distinctConfigurations(spec), spec.budget.trials > n * repeats else { return }
    let conditional = spec.parameters.contains { !$0.when.isEmpty }
    let each = repeats > 1 ? " (× repeats: \(repeats) = \(n * repeats) trials)" : ""
    throw SweepSpecError(
        location: spec.budgetTrialsLocation,
        message: "budget.trials is \(spec.budget.trials) but the space has only \(n) distinct configuration"
            + (n == 1 ? "" : "s") + each + (conditional ? " (counting each condition's inactive parameters as absent)" : "")
            + "; lower budget.trials to at most \(n * repeats), or widen the space (more values, or a continuous distribution)")
}
