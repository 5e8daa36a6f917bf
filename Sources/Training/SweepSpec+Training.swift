// Loading a sweep file for training: the Search parser checks the file's shape and the
// parameter names against the models' vocabulary; this adds the trainer's own rules (every value
// a parameter can take must be usable: a known optimizer, a dropout below 0.95, …), reported at
// the parameter's line in the file.
import Search

extension SweepSpec {
    /// Parses and validates `path` for the models hpsearch trains; the data files it names must exist.
    public static func loadForTraining(path: String) throws -> SweepSpec {
        let spec = try SweepSpec.load(path: path, vocabulary: TrainingConfig.vocabulary, checkDataFiles: true)
        try spec.validateForTraining()
        return spec
    }

    /// Throws a `SweepSpecError` at the first parameter with a value the trainer cannot use.
    public func validateForTraining() throws {
        guard let kind = ModelKind(rawValue: model) else {
            throw SweepSpecError(location: SourceLocation(file: file, line: 0, column: 0),
                                 message: "unknown model '\(model)'; expected one of \(ModelKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        for p in parameters {
            for value in p.distribution.representativeValues + (p.defaultValue.map { [$0] } ?? []) {
                var config = TrainingConfig(model: kind)
                do { try config.set(p.name, value) } catch let e as TrainingConfigError {
                    throw SweepSpecError(location: p.location, message: "\(e.description) (value \(value))")
                }
            }
        }
    }

    /// The training configuration of `configuration` for this sweep's model.
    public func trainingConfig(_ configuration: Configuration) throws -> TrainingConfig {
        try TrainingConfig(model: model, configuration: configuration)
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
