// TrainerParameters: the hyperparameters every model accepts (optimisation, regularisation and
// the layers' shared choices), as one table: name, type, range or choices, default, help, and
// where the value goes in `TrainingConfig`.
import NN
import Search

public enum TrainerParameters {
    /// One common parameter and how its (validated, normalised) value is stored.
    struct Entry: Sendable {
        var parameter: TrainingParameter
        var apply: @Sendable (inout TrainingConfig, ParameterValue) -> Void
    }

    /// The table, in the order docs list it. Defaults are `TrainingConfig(model:)`'s.
    static let entries: [Entry] = [
        Entry(parameter: .init("learning_rate", field: "learningRate", .number(min: 0, max: .infinity, openMin: true), default: .double(1e-3),
                               help: "the optimizer's base learning rate (the schedule scales it)"),
              apply: { $0.learningRate = $1.doubleValue! }),
        Entry(parameter: .init("optimizer", field: "optimizer", .choice(OptimizerKind.allCases.map(\.rawValue)), default: .string("adam"),
                               help: "adam, adamw (decoupled weight decay) or sgd"),
              apply: { $0.optimizer = OptimizerKind(rawValue: $1.stringValue!)! }),
        Entry(parameter: .init("momentum", field: "momentum", .number(min: 0, max: 1, openMin: false), default: .double(0.9),
                               help: "SGD momentum"),
              apply: { $0.momentum = $1.doubleValue! }),
        Entry(parameter: .init("nesterov", field: "nesterov", .flag, default: .bool(false), help: "SGD with Nesterov momentum"),
              apply: { $0.nesterov = $1.boolValue! }),
        Entry(parameter: .init("weight_decay", field: "weightDecay", .number(min: 0, max: .infinity, openMin: false), default: .double(0),
                               help: "L2 penalty (Adam, SGD) or decoupled decay (AdamW)"),
              apply: { $0.weightDecay = $1.doubleValue! }),
        Entry(parameter: .init("beta1", field: "beta1", .number(min: 0, max: 1, openMin: false), default: .double(0.9),
                               help: "Adam's first-moment decay"),
              apply: { $0.beta1 = $1.doubleValue! }),
        Entry(parameter: .init("beta2", field: "beta2", .number(min: 0, max: 1, openMin: false), default: .double(0.999),
                               help: "Adam's second-moment decay"),
              apply: { $0.beta2 = $1.doubleValue! }),
        Entry(parameter: .init("batch_size", field: "batchSize", .integer(min: 1), default: .int(128),
                               help: "training examples per step (at most the training split)"),
              apply: { $0.batchSize = $1.intValue! }),
        Entry(parameter: .init("clip_norm", field: "clipNorm", .number(min: 0, max: .infinity, openMin: false), default: .double(0),
                               help: "global gradient-norm clipping; 0 turns it off"),
              apply: { $0.clipNorm = $1.doubleValue! }),
        Entry(parameter: .init("schedule", field: "schedule", .choice(ScheduleKind.allCases.map(\.rawValue)), default: .string("constant"),
                               help: "learning-rate schedule over the budget: constant, cosine or step"),
              apply: { $0.schedule = ScheduleKind(rawValue: $1.stringValue!)! }),
        Entry(parameter: .init("warmup_epochs", field: "warmupEpochs", .number(min: 0, max: .infinity, openMin: false), default: .double(0),
                               help: "linear learning-rate warm-up, in epochs"),
              apply: { $0.warmupEpochs = $1.doubleValue! }),
        Entry(parameter: .init("loss", field: "loss", .choice(LossKind.allCases.map(\.rawValue)), default: .string("auto"),
                               help: "the training loss: auto (cross_entropy for classification, mse for regression), cross_entropy, or for regression mse, huber (δ = 1 standardised) or mae"),
              apply: { $0.loss = LossKind(rawValue: $1.stringValue!)! }),
        Entry(parameter: .init("label_smoothing", field: "labelSmoothing", .number(min: 0, max: 0.99, openMin: false), default: .double(0),
                               help: "label smoothing of the training loss"),
              apply: { $0.labelSmoothing = $1.doubleValue! }),
        Entry(parameter: .init("dropout", field: "dropout", .number(min: 0, max: 0.95, openMin: false), default: .double(0),
                               help: "dropout rate after each hidden block; 0: none"),
              apply: { $0.dropout = $1.doubleValue! }),
        Entry(parameter: .init("augment", field: "augment", .choice(Augmentation.allCases.map(\.rawValue)), default: .string("none"),
                               help: "training-batch image augmentation: none, flip, shift or flip_shift"),
              apply: { $0.augment = Augmentation(rawValue: $1.stringValue!)! }),
        Entry(parameter: .init("activation", field: "activation",
                               .choice(ActivationKind.allCases.filter { $0 != .identity }.map(\.rawValue)), default: .string("relu"),
                               help: "the hidden layers' activation"),
              apply: { $0.activation = ActivationKind(rawValue: $1.stringValue!)! }),
        Entry(parameter: .init("batch_norm", field: "batchNorm", .flag, default: .bool(false),
                               help: "batch normalisation after each dense or conv layer (which then has no bias)"),
              apply: { $0.batchNorm = $1.boolValue! }),
        Entry(parameter: .init("init", field: "initializer",
                               .choice(["he_normal", "he_uniform", "lecun_normal", "lecun_uniform", "glorot_normal", "glorot_uniform"]),
                               default: .string("he_normal"), help: "the hidden layers' weight initialiser",
                               accepts: { s in Initializer(name: s).map { $0 != .zeros } ?? false }),
              apply: { $0.initializer = Initializer(name: $1.stringValue!)!; $0.initializerName = $1.stringValue! }),
    ]

    /// Every common parameter, in table order.
    public static let all: [TrainingParameter] = entries.map(\.parameter)

    static func entry(named name: String) -> Entry? { entries.first { $0.parameter.name == name } }
}
