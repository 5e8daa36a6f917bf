// ParameterAxis: where a hyperparameter's values sit along a chart axis: numeric (log when the
// sweep samples it on a log scale) or categorical (one evenly spaced slot per value).
import Search
import Storage

struct ParameterAxis {
    enum Kind {
        case numeric(ValueScale)
        case categorical([ParameterValue])
    }

    let name: String
    let kind: Kind
    /// How many distinct values the trials took (1: nothing to compare along this axis).
    let distinct: Int

    /// An axis for `name` holding `values` (the values trials took). Categorical when the sweep
    /// file makes it so (constant, categorical, so booleans too) or when a value is not a number;
    /// otherwise numeric over the observed values and the distribution's finite bounds, on a log
    /// scale when the distribution is logarithmic and every value is positive.
    init(name: String, spec: ParameterSpec?, values: [ParameterValue]) {
        self.name = name
        var seen: [ParameterValue] = []
        for v in values where !seen.contains(where: { Self.same($0, v) }) { seen.append(v) }
        distinct = seen.count
        let numbers = values.compactMap(\.doubleValue)
        if spec?.distribution.isCategorical == true || numbers.count < values.count {
            var categories: [ParameterValue] = []
            switch spec?.distribution {
            case .categorical(let listed, _)?: categories = listed
            case .constant(let v)?: categories = [v]
            default: break
            }
            // Listed values nobody took are left out; values not listed (a hand-edited store) added.
            categories = categories.filter { c in values.contains { Self.same($0, c) } }
            for v in values where !categories.contains(where: { Self.same($0, v) }) { categories.append(v) }
            kind = .categorical(categories)
        } else {
            let log = spec?.distribution.isLogarithmic == true && numbers.allSatisfy { $0 > 0 }
            kind = .numeric(ValueScale(covering: numbers + Self.bounds(spec?.distribution), log: log, pad: 0.03))
        }
    }

    var isCategorical: Bool { if case .categorical = kind { true } else { false } }
    var isLog: Bool { if case .numeric(let s) = kind { s.log } else { false } }

    /// The number of categories (1 for a numeric axis).
    var slots: Int { if case .categorical(let c) = kind { c.count } else { 1 } }

    /// The position of `v` in [0, 1]; nil when absent or not placeable (a non-positive value on a log axis).
    func unit(_ v: ParameterValue?) -> Double? {
        guard let v else { return nil }
        switch kind {
        case .categorical(let c):
            guard let i = c.firstIndex(where: { Self.same($0, v) }) else { return nil }
            return (Double(i) + 0.5) / Double(c.count)
        case .numeric(let scale):
            guard let x = v.doubleValue else { return nil }
            let u = scale.unit(x)
            return u.isNaN ? nil : u
        }
    }

    func ticks() -> [(unit: Double, label: String)] {
        switch kind {
        case .categorical(let c): return c.enumerated().map { ((Double($0) + 0.5) / Double(c.count), Markup.value($1)) }
        case .numeric(let scale): return scale.ticks()
        }
    }

    /// The axes of a sweep's parameters: those of the sweep file in file order, then names only
    /// the trials carry (sorted), each over the values trials took; parameters that every trial
    /// leaves absent are left out.
    static func axes(spec: SweepSpec, trials: [TrialRecord]) -> [ParameterAxis] {
        let known = Set(spec.parameters.map(\.name))
        let extra = Set(trials.flatMap(\.configuration.values.keys)).subtracting(known).sorted()
        return (spec.parameters.map(\.name) + extra).compactMap { name in
            let values = trials.compactMap { $0.configuration[name] }
            return values.isEmpty ? nil : ParameterAxis(name: name, spec: spec.parameter(named: name), values: values)
        }
    }

    /// Equal, or both numbers with the same value (`2` and `2.0`).
    static func same(_ a: ParameterValue, _ b: ParameterValue) -> Bool {
        a == b || (a.doubleValue != nil && a.doubleValue == b.doubleValue)
    }

    /// The distribution's finite numeric bounds (none for normal and log-normal).
    private static func bounds(_ d: Distribution?) -> [Double] {
        switch d {
        case .intUniform(let lo, let hi)?: [Double(lo), Double(hi)]
        case .uniform(let lo, let hi)?, .qUniform(let lo, let hi, _)?, .logUniformValues(let lo, let hi)?,
             .qLogUniformValues(let lo, let hi, _)?: [lo, hi]
        default: []
        }
    }
}
