// TrainingConfig: one trial's hyperparameters, typed, read from a sweep Configuration. The names,
// types, ranges and defaults come from the tables: `TrainerParameters` (every model) and each
// `ModelFamily`'s own (see ModelFamily.swift).
import Foundation
import NN
import Search

public enum OptimizerKind: String, Sendable, CaseIterable {
    case adam, adamw, sgd
}

public enum ScheduleKind: String, Sendable, CaseIterable {
    case constant, cosine, step
}

/// Label-preserving image transformations applied to training batches only.
public enum Augmentation: String, Sendable, CaseIterable {
    case none, flip, shift, flipShift = "flip_shift"
    var flips: Bool { self == .flip || self == .flipShift }
    var shifts: Bool { self == .shift || self == .flipShift }
}

/// A configuration value the trainer cannot use (wrong type or an unknown choice).
public struct TrainingConfigError: Error, Sendable, CustomStringConvertible, Equatable {
    public var parameter: String
    public var message: String
    public var description: String { "parameter '\(parameter)': \(message)" }
}

/// Every hyperparameter the trainer understands, with the recipe's defaults: Adam at 1e-3, a
/// constant learning rate, no augmentation, no regularisation unless asked for.
public struct TrainingConfig: Sendable, Equatable {
    public var model: ModelKind
    // Optimisation.
    public var learningRate: Double = 1e-3
    public var optimizer: OptimizerKind = .adam
    public var momentum: Double = 0.9
    public var nesterov = false
    public var weightDecay: Double = 0
    public var beta1: Double = 0.9
    public var beta2: Double = 0.999
    public var batchSize = 128
    /// Global gradient-norm clipping; 0 turns it off.
    public var clipNorm: Double = 0
    public var schedule: ScheduleKind = .constant
    public var warmupEpochs: Double = 0
    // Regularisation.
    public var labelSmoothing: Double = 0
    /// The training loss; `.auto` picks the task's (left out of the fingerprint, as before it existed).
    public var loss: LossKind = .auto
    public var dropout: Double = 0
    public var augment: Augmentation = .none
    // Architecture.
    public var activation: ActivationKind = .relu
    public var batchNorm = false
    public var initializer: Initializer = .heNormal
    public var initializerName = "he_normal"
    /// The model families' own parameters by sweep-file name, normalised; a value equal to its
    /// default is not stored (so equal configurations compare equal). Read and write them with
    /// `value(_:)` / `setValue(_:for:)` or the families' typed accessors (`width`, `kernel`, …).
    public private(set) var modelValues: [String: ParameterValue] = [:]
    /// `model: {layers: …}`: the sweep file's layer list evaluated for this configuration
    /// (`SweepSpec.trainingConfig` sets it); nil for a named family.
    public var layers: [ConcreteLayer]?

    public init(model: ModelKind) { self.model = model }

    /// Parameters every model accepts.
    public static let commonParameters: Set<String> = Set(TrainerParameters.all.map(\.name))

    /// Model name → the parameters it accepts: what the sweep-file validator checks against.
    /// Derived from the registry (`ModelFamilies`).
    public static var vocabulary: ModelVocabulary { ModelFamilies.vocabulary }

    /// The value of the family parameter `name`: stored, else its default (nil for an unknown name).
    public func value(_ name: String) -> ParameterValue? {
        modelValues[name] ?? ModelFamilies.parameter(named: name, preferring: model.rawValue)?.defaultValue
    }

    /// `value(name)` as an integer (0 for an unknown name).
    public func integer(_ name: String) -> Int { value(name)?.intValue ?? 0 }

    /// Stores a family parameter's value without checking it (`set` checks); the default is not stored.
    public mutating func setValue(_ value: ParameterValue, for name: String) {
        let defaultValue = ModelFamilies.parameter(named: name, preferring: model.rawValue)?.defaultValue
        modelValues[name] = value == defaultValue ? nil : value
    }

    /// Reads `configuration` for `model`; parameters absent from it keep their defaults.
    public init(model: String, configuration: Configuration) throws {
        guard let kind = ModelKind(rawValue: model) else {
            throw TrainingConfigError(parameter: "model", message: "unknown model '\(model)'; expected one of \(ModelKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.init(model: kind)
        for (name, value) in configuration.values.sorted(by: { $0.key < $1.key }) {
            try set(name, value)
        }
    }

    /// Sets one parameter by its sweep-file name. A name known to another model is checked as
    /// that model checks it, then refused as unused.
    public mutating func set(_ name: String, _ value: ParameterValue) throws {
        let common = TrainerParameters.entry(named: name)
        guard let parameter = common?.parameter ?? ModelFamilies.parameter(named: name, preferring: model.rawValue) else {
            let accepted = Self.vocabulary[model.rawValue]?.sorted().joined(separator: ", ") ?? ""
            throw TrainingConfigError(parameter: name, message: "model '\(model.rawValue)' has no such parameter; it accepts: \(accepted)")
        }
        let v = try parameter.validate(value)
        if let accepted = Self.vocabulary[model.rawValue], !accepted.contains(name) {
            throw TrainingConfigError(parameter: name, message: "model '\(model.rawValue)' does not use it; it accepts: \(accepted.sorted().joined(separator: ", "))")
        }
        if let common { common.apply(&self, v) } else { setValue(v, for: name) }
    }

    /// Every field as "name = value", in the order of the flat struct that states of format 1 were
    /// saved with (`Trainer.configurationFingerprint`): the common fields, then the fields of the
    /// format-1 families (mlp's depth and width, cnn's convBlocks, channels, kernel, denseWidth:
    /// in every configuration, with their defaults when unset), then, for a later family, its own.
    public var fingerprint: [String] {
        var lines: [String] = []
        for child in Mirror(reflecting: self).children {
            switch child.label {
            case "model": lines.append("model = \(model.rawValue)")
            case "loss": if loss != .auto { lines.append("loss = \(loss.rawValue)") }
            case "layers":
                // Absent for named families, so their fingerprints are those of format 1.
                if let layers { lines.append("layers = " + layers.map(\.description).joined(separator: "; ")) }
            case "modelValues":
                for f in ModelFamilies.all where ModelFamilies.alwaysFingerprinted.contains(f.name) || f.name == model.rawValue {
                    for p in f.parameters { lines.append("\(p.field) = \((modelValues[p.name] ?? p.defaultValue).description)") }
                }
            default: lines.append("\(child.label ?? "?") = \(String(describing: child.value))")
            }
        }
        return lines
    }
}
