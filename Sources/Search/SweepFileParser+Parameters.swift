// SweepFileParser+Parameters: the `parameters:` section — distributions, defaults and `when`
// conditions (checked once every parameter is known: names exist, values are possible, no cycles).
import Yams

extension SweepFileParser {
    static let distributionNames = ["constant", "categorical", "int_uniform", "uniform", "q_uniform",
                                    "log_uniform_values", "q_log_uniform_values", "normal", "log_normal"]
    /// Other tools' names (W&B's exponent-based `log_uniform`, Optuna's, Ray Tune's) for ours.
    static let distributionAliases = ["log_uniform": "log_uniform_values", "q_log_uniform": "q_log_uniform_values",
                                      "loguniform": "log_uniform_values", "randint": "int_uniform",
                                      "choice": "categorical", "lognormal": "log_normal", "fixed": "constant"]
    static let distributionKeys = ["distribution", "value", "values", "probabilities", "min", "max", "q", "mu", "sigma"]
    static let parameterKeys = distributionKeys + ["default", "when"]
    /// The keys each distribution takes (besides `distribution`, `default` and `when`).
    static let keysOf = ["constant": ["value"], "categorical": ["values", "probabilities"],
                         "int_uniform": ["min", "max"], "uniform": ["min", "max"], "q_uniform": ["min", "max", "q"],
                         "log_uniform_values": ["min", "max"], "q_log_uniform_values": ["min", "max", "q"],
                         "normal": ["mu", "sigma"], "log_normal": ["mu", "sigma"]]

    /// The `parameters:` mapping, in file order; every name must be in `model`'s vocabulary.
    func parameterSpecs(_ field: YAMLField, model: String, layers: LayerSpec? = nil) throws -> [ParameterSpec] {
        var specs: [ParameterSpec] = []
        var conditions: [Int: YAMLMapping] = [:]
        for (name, value) in try field.mapping(allowed: nil).entries {
            try checkVocabulary(name, of: model, layers: layers, at: value)
            guard case .mapping = value.node else {
                throw value.mismatch("a distribution such as {values: [...]}, {min: ..., max: ...} or {value: ...}")
            }
            let m = try value.mapping(allowed: Self.parameterKeys)
            let distribution = try distribution(m)
            var spec = ParameterSpec(name: name, distribution: distribution, location: value.keyLocation ?? value.location)
            if let f = m["default"] {
                let v = try f.value()
                guard let c = distribution.canonical(v) else {
                    throw f.error("default \(v.quoted) is not a possible value of '\(name)', which takes \(distribution)")
                }
                spec.defaultValue = c
            }
            if let f = m["when"] {
                let when = try f.mapping(allowed: nil)
                guard !when.entries.isEmpty else {
                    throw f.error("\(f.name) is empty; name a parameter and its values, e.g. {optimizer: sgd}")
                }
                conditions[specs.count] = when
            }
            specs.append(spec)
        }
        for i in conditions.keys.sorted() {
            specs[i].when = try condition(conditions[i]!, of: specs[i].name, among: specs)
        }
        try checkAcyclic(specs, conditions)
        return specs
    }

    /// A `{distribution: …, …}` mapping (its keys already limited to `parameterKeys` or
    /// `distributionKeys`), with the distribution inferred when not named.
    func distribution(_ m: YAMLMapping) throws -> Distribution {
        let f = m.field
        let kind: String
        if let d = m["distribution"] {
            kind = try d.choice(Self.distributionNames, what: "distribution", aliases: Self.distributionAliases)
        } else if m["value"] != nil, let values = m["values"] {
            throw values.keyError("\(f.name) has both 'value' and 'values'; keep 'value' for a constant "
                                  + "or 'values' for a choice")
        } else if m["value"] != nil {
            kind = "constant"
        } else if m["values"] != nil {
            kind = "categorical"
        } else if m["min"] != nil || m["max"] != nil {
            kind = [m["min"], m["max"]].allSatisfy { $0.map { $0.tagName == .int } ?? true } ? "int_uniform" : "uniform"
        } else {
            throw f.keyError("cannot tell the distribution of \(f.name): give 'values' (a choice), 'min' and 'max' "
                             + "(a range), 'value' (a constant), or 'distribution'")
        }
        let takes = Self.keysOf[kind]!
        if let (key, value) = m.entries.first(where: { !(takes + ["distribution", "default", "when"]).contains($0.key) }) {
            throw value.keyError("key '\(key)' does not apply to distribution '\(kind)', which takes "
                                 + YAMLField.list(takes, "and"))
        }
        switch kind {
        case "constant":
            return .constant(try m.required("value", "the constant value").value())
        case "categorical":
            return try categorical(m)
        case "int_uniform":
            let loField = try m.required("min", "the smallest value"), hiField = try m.required("max", "the largest value")
            let lo = try integerBound(loField), hi = try integerBound(hiField)
            guard lo < hi else { throw hiField.error("\(hiField.name) (\(hi)) must be greater than min (\(lo))") }
            guard Double(hi) - Double(lo) < 0x1p53 else {
                throw hiField.error("the range of \(f.name) is too wide; keep max − min below 2^53")
            }
            return .intUniform(min: lo, max: hi)
        case "normal", "log_normal":
            let mu = try m["mu"].map { try $0.number() } ?? 0
            let sigma = try m["sigma"].map { try positive($0) } ?? 1
            return kind == "normal" ? .normal(mu: mu, sigma: sigma) : .logNormal(mu: mu, sigma: sigma)
        default:
            let loField = try m.required("min", "the lower bound"), hiField = try m.required("max", "the upper bound")
            let lo = try loField.number(), hi = try hiField.number()
            let log = kind.contains("log")
            guard !log || lo > 0 else {
                throw loField.error("\(loField.name) must be greater than 0 on a log scale, got \(lo.compact); "
                                    + "\(kind) takes the bounds themselves (e.g. 1.0e-4), not exponents")
            }
            guard lo < hi else {
                throw hiField.error("\(hiField.name) (\(hi.compact)) must be greater than min (\(lo.compact))")
            }
            guard kind.hasPrefix("q_") else { return log ? .logUniformValues(min: lo, max: hi) : .uniform(min: lo, max: hi) }
            let qField = try m.required("q", "the step (values are multiples of q)")
            let q = try positive(qField)
            guard Distribution.multiples(lo, hi, q) != nil else {
                throw qField.error("no multiple of q (\(q.compact)) lies in [\(lo.compact), \(hi.compact)]; "
                                   + "make q smaller or the range wider")
            }
            return log ? .qLogUniformValues(min: lo, max: hi, q: q) : .qUniform(min: lo, max: hi, q: q)
        }
    }

    private func categorical(_ m: YAMLMapping) throws -> Distribution {
        let valuesField = try m.required("values", "the list of choices")
        let items = try valuesField.list()
        guard !items.isEmpty else { throw valuesField.error("\(valuesField.name) is empty; list at least one value") }
        var values: [ParameterValue] = []
        for item in items {
            let v = try item.value()
            guard !values.contains(where: { $0.matches(v) }) else {
                throw item.error("\(v.quoted) is listed twice in \(valuesField.name); list each value once")
            }
            values.append(v)
        }
        guard let probabilitiesField = m["probabilities"] else { return .categorical(values: values, probabilities: nil) }
        let entries = try probabilitiesField.list()
        guard entries.count == values.count else {
            throw probabilitiesField.error("\(probabilitiesField.name) has \(entries.count) entries but 'values' has "
                                           + "\(values.count); give one probability per value")
        }
        let probabilities = try entries.map { f in
            let p = try f.number()
            guard p >= 0 else { throw f.error("\(f.name) must be at least 0, got \(p.compact)") }
            return p
        }
        let sum = probabilities.reduce(0, +)
        guard Swift.abs(sum - 1) <= 1e-6 else {
            throw probabilitiesField.error("\(probabilitiesField.name) sum to \(sum.compact); they must sum to 1")
        }
        return .categorical(values: values, probabilities: probabilities)
    }

    private func integerBound(_ f: YAMLField) throws -> Int {
        let v = try f.value()
        guard v.doubleValue != nil else { throw f.mismatch("an integer") }
        guard let i = v.intValue else {
            throw f.error("int_uniform takes integer bounds, but \(f.name) is \(v); "
                          + "use distribution: uniform for real numbers")
        }
        return i
    }

    private func positive(_ f: YAMLField) throws -> Double {
        let x = try f.number()
        guard x > 0 else { throw f.error("\(f.name) must be greater than 0, got \(x.compact)") }
        return x
    }

    /// One parameter's `when`: each named parameter exists, is not `name` itself, and can take
    /// every listed value (stored in its distribution's canonical form).
    private func condition(_ when: YAMLMapping, of name: String,
                           among specs: [ParameterSpec]) throws -> [String: [ParameterValue]] {
        var result: [String: [ParameterValue]] = [:]
        for (other, field) in when.entries {
            guard other != name else {
                throw field.keyError("\(when.field.name) names '\(name)' itself; a parameter cannot depend on its own value")
            }
            guard let target = specs.first(where: { $0.name == other }) else {
                let names = specs.map(\.name)
                throw field.keyError("\(when.field.name) names '\(other)', which is not a parameter of this sweep"
                                     + NameSuggestion.hint(other, among: names, then: "the sweep's parameters are: "
                                                           + names.joined(separator: ", ")))
            }
            let items: [YAMLField]
            if case .sequence = field.node { items = try field.list() } else { items = [field] }
            guard !items.isEmpty else {
                throw field.error("\(field.name) is empty; list the values of '\(other)' that enable '\(name)'")
            }
            result[other] = try items.map { item in
                let v = try item.value()
                guard let c = target.distribution.canonical(v) else {
                    var strings: [String] = []
                    if case .categorical(let values, _) = target.distribution { strings = values.compactMap(\.stringValue) }
                    let hint = v.stringValue.flatMap { NameSuggestion.nearest(to: $0, among: strings) }
                        .map { " (did you mean '\($0)'?)" } ?? ""
                    throw item.error("\(item.name) is \(v.quoted), which '\(other)' never takes\(hint), so '\(name)' could "
                                     + "never be active; '\(other)' takes \(target.distribution)")
                }
                return c
            }
        }
        return result
    }

    /// Throws at the `when` key that closes a cycle (a → b → a), searching in file order.
    private func checkAcyclic(_ specs: [ParameterSpec], _ conditions: [Int: YAMLMapping]) throws {
        let index = Dictionary(uniqueKeysWithValues: specs.enumerated().map { ($1.name, $0) })
        var done = Set<Int>(), path: [Int] = []
        func visit(_ i: Int) throws {
            path.append(i)
            for (other, field) in conditions[i]?.entries ?? [] {
                guard let j = index[other] else { continue }
                if let start = path.firstIndex(of: j) {
                    let cycle = (path[start...] + [j]).map { specs[$0].name }.joined(separator: " → ")
                    throw field.keyError("'parameters.\(specs[i].name).when' makes a cycle: \(cycle); "
                                         + "conditions must not lead back to the parameter they enable")
                }
                if !done.contains(j) { try visit(j) }
            }
            path.removeLast()
            done.insert(i)
        }
        for i in specs.indices where !done.contains(i) { try visit(i) }
    }
}
