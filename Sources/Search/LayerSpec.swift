// LayerSpec: a sweep file's `model: {layers: […]}` — the written layer tree, its parameter
// references, and its evaluation for one configuration or for the extreme values of every
// referenced parameter (what Training shape-checks before any rank starts).

/// The layer list of `model: {layers: …}`. `SweepSpec.model` is then `LayerSpec.modelName`.
public struct LayerSpec: Sendable, Hashable {
    /// The reserved model name of a sweep whose model is a layer list.
    public static let modelName = "layers"
    /// At most this many extreme configurations are evaluated as a full product (see `extremeConfigurations`).
    public static let maximumExtremeProduct = 1024

    public var layers: [LayerNode]
    /// Where `layers:` is written.
    public var location: SourceLocation

    public init(layers: [LayerNode], location: SourceLocation) {
        self.layers = layers
        self.location = location
    }

    /// Every `${name}`, in writing order (repeats kept).
    public var references: [LayerReference] { layers.flatMap(\.references) }

    /// The distinct referenced parameter names, in order of first reference.
    public var referencedParameters: [String] {
        var names: [String] = []
        for r in references where !names.contains(r.name) { names.append(r.name) }
        return names
    }

    /// The concrete layers of one trial (hpsearch appends the output layer). Throws a
    /// `SweepSpecError` at the value that does not fit.
    public func evaluate(in configuration: Configuration) throws -> [ConcreteLayer] {
        try layers.flatMap { try $0.evaluate(in: configuration) }
    }

    /// Configurations of the referenced parameters at their extreme values
    /// (`Distribution.extremeValues` plus each default): the full product when it has at most
    /// `maximumExtremeProduct` entries, else all-lowest, all-highest and each value of each
    /// parameter with the others at their first extreme. Only referenced parameters are set;
    /// none when the layers reference none (one empty configuration).
    public func extremeConfigurations(_ parameters: [ParameterSpec]) -> [Configuration] {
        let axes: [(String, [ParameterValue])] = referencedParameters.compactMap { name in
            guard let p = parameters.first(where: { $0.name == name }) else { return nil }
            var values = p.distribution.extremeValues
            if let d = p.defaultValue, !values.contains(where: { $0.matches(d) }) { values.append(d) }
            return (name, values)
        }
        let product = axes.reduce(1) { $0 > Self.maximumExtremeProduct ? $0 : $0 * $1.1.count }
        if product <= Self.maximumExtremeProduct {
            var configs = [Configuration()]
            for (name, values) in axes {
                configs = configs.flatMap { c in values.map { v in var c = c; c[name] = v; return c } }
            }
            return configs
        }
        let first = Configuration(Dictionary(uniqueKeysWithValues: axes.map { ($0.0, $0.1[0]) }))
        var configs = [first, Configuration(Dictionary(uniqueKeysWithValues: axes.map { ($0.0, $0.1[$0.1.count - 1]) }))]
        for (name, values) in axes {
            for v in values.dropFirst() {
                var c = first
                c[name] = v
                if !configs.contains(c) { configs.append(c) }
            }
        }
        return configs
    }

    /// The evaluated layer lists for `extremeConfigurations(parameters)`, each with its
    /// configuration: what Training infers shapes for. Throws at the first value that does not fit.
    public func concreteLayerLists(_ parameters: [ParameterSpec]) throws -> [ConcreteLayerList] {
        try extremeConfigurations(parameters).map { ConcreteLayerList(configuration: $0, layers: try evaluate(in: $0)) }
    }
}

/// A layer list evaluated for one configuration of the referenced parameters.
public struct ConcreteLayerList: Sendable, Hashable {
    public var configuration: Configuration
    public var layers: [ConcreteLayer]

    public init(configuration: Configuration, layers: [ConcreteLayer]) {
        self.configuration = configuration
        self.layers = layers
    }
}

extension Distribution {
    /// Values that bound what the distribution can produce: every categorical value, the ends of a
    /// bounded range (for `intUniform` also their neighbours, so that `${n} / 2` meets an odd
    /// value), a few quantiles of an unbounded one.
    public var extremeValues: [ParameterValue] {
        switch self {
        case .constant(let v): return [v]
        case .categorical(let values, _): return values
        case .intUniform(let lo, let hi):
            var values: [ParameterValue] = []
            for i in [lo, lo + 1, hi - 1, hi] where lo <= i && i <= hi && !values.contains(.int(i)) { values.append(.int(i)) }
            return values
        case .normal, .logNormal: return [0.001, 0.5, 0.999].map { value(atQuantile: $0) }
        default:
            let lo = value(atQuantile: 0), hi = value(atQuantile: 0.999_999)
            return lo == hi ? [lo] : [lo, hi]
        }
    }
}
