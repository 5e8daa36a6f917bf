// TrainingConfig: one trial's hyperparameters, typed, read from a sweep Configuration.
import Foundation
import NN
import Search

/// The architectures a sweep can search over.
public enum ModelKind: String, Sendable, CaseIterable {
    case mlp, cnn
}

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
    public var dropout: Double = 0
    public var augment: Augmentation = .none
    // Architecture.
    public var activation: ActivationKind = .relu
    public var batchNorm = false
    public var initializer: Initializer = .heNormal
    public var initializerName = "he_normal"
    /// MLP: hidden layers and their width.
    public var depth = 2
    public var width = 256
    /// CNN: conv blocks (conv, [batch norm], activation, 2×2 max-pool), channels of the first
    /// block (doubling per block), kernel size, and the dense layer's width.
    public var convBlocks = 2
    public var channels = 32
    public var kernel = 3
    public var denseWidth = 128

    public init(model: ModelKind) { self.model = model }

    /// Parameters every model accepts.
    public static let commonParameters: Set<String> = [
        "learning_rate", "optimizer", "momentum", "nesterov", "weight_decay", "batch_size", "clip_norm",
        "schedule", "warmup_epochs", "label_smoothing", "dropout", "activation", "batch_norm", "init",
        "beta1", "beta2", "augment",
    ]

    /// Model name → the parameters it accepts: what the sweep-file validator checks against.
    public static let vocabulary: ModelVocabulary = [
        ModelKind.mlp.rawValue: commonParameters.union(["width", "depth"]),
        ModelKind.cnn.rawValue: commonParameters.union(["conv_blocks", "channels", "kernel", "dense_width"]),
    ]

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

    /// Sets one parameter by its sweep-file name.
    public mutating func set(_ name: String, _ value: ParameterValue) throws {
        func number(min: Double = -.infinity, max: Double = .infinity, open: Bool = false) throws -> Double {
            guard let v = value.doubleValue, v.isFinite else { throw TrainingConfigError(parameter: name, message: "expected a number, got \(value)") }
            guard v >= min, v <= max, !(open && v == min) else {
                throw TrainingConfigError(parameter: name, message: "\(v) is out of range: expected \(open ? "(" : "[")\(min), \(max)]")
            }
            return v
        }
        func integer(min: Int) throws -> Int {
            guard let v = value.intValue else { throw TrainingConfigError(parameter: name, message: "expected an integer, got \(value)") }
            guard v >= min else { throw TrainingConfigError(parameter: name, message: "expected an integer ≥ \(min), got \(v)") }
            return v
        }
        func flag() throws -> Bool {
            if let b = value.boolValue { return b }
            if let i = value.intValue, i == 0 || i == 1 { return i == 1 }
            throw TrainingConfigError(parameter: name, message: "expected true or false, got \(value)")
        }
        func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type) throws -> T where T.RawValue == String {
            if let s = value.stringValue, let v = T(rawValue: s) { return v }
            throw TrainingConfigError(parameter: name, message: "expected one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), got \(value)")
        }
        switch name {
        case "learning_rate": learningRate = try number(min: 0, open: true)
        case "optimizer": optimizer = try choice(OptimizerKind.self)
        case "momentum": momentum = try number(min: 0, max: 1)
        case "nesterov": nesterov = try flag()
        case "weight_decay": weightDecay = try number(min: 0)
        case "beta1": beta1 = try number(min: 0, max: 1)
        case "beta2": beta2 = try number(min: 0, max: 1)
        case "batch_size": batchSize = try integer(min: 1)
        case "clip_norm": clipNorm = try number(min: 0)
        case "schedule": schedule = try choice(ScheduleKind.self)
        case "warmup_epochs": warmupEpochs = try number(min: 0)
        case "label_smoothing": labelSmoothing = try number(min: 0, max: 0.99)
        case "dropout":
            dropout = try number(min: 0, max: 0.95)
        case "augment": augment = try choice(Augmentation.self)
        case "activation":
            guard let s = value.stringValue, let a = ActivationKind(rawValue: s), a != .identity else {
                throw TrainingConfigError(parameter: name, message: "expected one of relu, leaky_relu, elu, gelu, tanh, sigmoid, got \(value)")
            }
            activation = a
        case "batch_norm": batchNorm = try flag()
        case "init":
            guard let s = value.stringValue, let i = Initializer(name: s), i != .zeros else {
                throw TrainingConfigError(parameter: name, message: "expected one of he_normal, he_uniform, lecun_normal, lecun_uniform, glorot_normal, glorot_uniform, got \(value)")
            }
            initializer = i
            initializerName = s
        case "depth": depth = try integer(min: 1)
        case "width": width = try integer(min: 1)
        case "conv_blocks": convBlocks = try integer(min: 1)
        case "channels": channels = try integer(min: 1)
        case "kernel":
            kernel = try integer(min: 1)
            guard kernel % 2 == 1 else { throw TrainingConfigError(parameter: name, message: "expected an odd kernel size (same padding), got \(kernel)") }
        case "dense_width": denseWidth = try integer(min: 1)
        default:
            let accepted = Self.vocabulary[model.rawValue]?.sorted().joined(separator: ", ") ?? ""
            throw TrainingConfigError(parameter: name, message: "model '\(model.rawValue)' has no such parameter; it accepts: \(accepted)")
        }
        if let accepted = Self.vocabulary[model.rawValue], !accepted.contains(name) {
            throw TrainingConfigError(parameter: name, message: "model '\(model.rawValue)' does not use it; it accepts: \(accepted.sorted().joined(separator: ", "))")
        }
    }
}
