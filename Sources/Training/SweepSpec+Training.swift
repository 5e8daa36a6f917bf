// Loading a sweep file for training: the Search parser checks the file's shape and the
// parameter names against the models' vocabulary; this adds the trainer's own rules (every value
// a parameter can take must be usable: a known optimizer, a dropout below 0.95, …), reported at
// the parameter's line in the file.
import Search
import TensorCore

extension SweepSpec {
    /// Parses and validates `path` for the models hpsearch trains; the data files it names must exist.
    public static func loadForTraining(path: String) throws -> SweepSpec {
        let spec = try SweepSpec.load(path: path, vocabulary: TrainingConfig.vocabulary, checkDataFiles: true)
        try spec.validateForTraining()
        return spec
    }

    /// Throws a `SweepSpecError` at the first parameter with a value the trainer cannot use.
    public func validateForTraining() throws {
        // A program sweep's parameters are the program's business.
        guard program == nil else { return }
        guard let kind = ModelKind(rawValue: model) else {
            throw SweepSpecError(location: SourceLocation(file: file, line: 0, column: 0),
                                 message: "unknown model '\(model)'; expected one of \(ModelKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        // A layer list's own parameters are checked by its parser, at their extreme values.
        let layerParameters = Set(layers?.referencedParameters ?? [])
        for p in parameters where !(layerParameters.contains(p.name) && TrainerParameters.entry(named: p.name) == nil) {
            for value in p.distribution.representativeValues + (p.defaultValue.map { [$0] } ?? []) {
                var config = TrainingConfig(model: kind)
                do { try config.set(p.name, value) } catch let e as TrainingConfigError {
                    throw SweepSpecError(location: p.location, message: "\(e.description) (value \(value))")
                }
                // What the task cannot use.
                if p.name == "loss", let why = config.loss.mismatch(regression: task == .regression) {
                    throw SweepSpecError(location: p.location, message: "parameter 'loss': \(why) (value \(value))")
                }
                if p.name == "label_smoothing", task == .regression, config.labelSmoothing > 0 {
                    throw SweepSpecError(location: p.location, message: "parameter 'label_smoothing' smooths class labels; task: regression has none: remove it (value \(value))")
                }
            }
        }
    }

    /// The training configuration of `configuration` for this sweep's model.
    public func trainingConfig(_ configuration: Configuration) throws -> TrainingConfig {
        guard let layers else { return try TrainingConfig(model: model, configuration: configuration) }
        // A layer list: the trainer's parameters as usual; the ones only the layers reference
        // are consumed by evaluating the list.
        let referenced = Set(layers.referencedParameters)
        var trainer = configuration
        for name in configuration.values.keys where referenced.contains(name) && TrainerParameters.entry(named: name) == nil {
            trainer.values[name] = nil
        }
        var config = try TrainingConfig(model: model, configuration: trainer)
        config.layers = try layers.evaluate(in: configuration)
        return config
    }

    /// Builds the layer list at the extreme values of each parameter it references, for data of
    /// `shape`: the first list that cannot be built throws at its layer's line and column, saying
    /// for which values. Nothing for a named family (its build checks its own shapes).
    public func checkLayerShapes(for shape: DataShape) throws {
        guard layers != nil else { return }
        for list in try concreteLayerLists() {
            var config = try trainingConfig(list.configuration)
            config.layers = list.layers
            var rng = RNG(seed: 0)
            do {
                _ = try LayerListFamily().build(config, for: shape, rng: &rng)
            } catch let e as SweepSpecError {
                let values = list.configuration.values.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }
                throw SweepSpecError(location: e.location, message: e.message + (values.isEmpty ? "" : " (when \(values.joined(separator: ", ")))"))
            }
        }
    }
}

extension Distribution {
    /// Values that bound what the distribution can produce: every categorical value, the ends of
    /// a bounded range, a few quantiles of an unbounded one.
    var representativeValues: [ParameterValue] {
        switch self {
        case .constant(let v): return [v]
        case .categorical(let values, _): return values
        case .normal, .logNormal: return [0.001, 0.5, 0.999].map { value(atQuantile: $0) }
        default: return [value(atQuantile: 0), value(atQuantile: 0.999_999)]
        }
    }
}
