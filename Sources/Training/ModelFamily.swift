// ModelFamily: the architectures a sweep can search over, each one file registered in one list
// (`ModelFamilies.all`), and the parameter tables the sweep-file vocabulary, the value checks and
// the docs are derived from.
import Foundation
import NN
import Search
import TensorCore

/// One architecture a sweep's `model:` can name.
///
/// Contract:
/// - `name` is the sweep file's spelling (`model: mlp`), unique in `ModelFamilies.all`.
/// - `parameters` lists every hyperparameter the family reads besides the trainer's common ones
///   (`TrainerParameters.all`), each with its type, range or choices, default and a one-line help;
///   no name may repeat a common parameter. Their values live in `TrainingConfig.modelValues`
///   (read with `config.integer(_:)`, …); a value absent there is the table's default.
/// - `build` is deterministic: the same configuration, shapes and `rng` state give the same layers
///   in the same order with the same weights (every random draw from `rng`, in a fixed order), and
///   the returned `ModelCost` counts exactly the model's trainable scalars. It throws a
///   `ModelBuildError` saying what to change when the data cannot feed the architecture.
///   `ModelBuilder.LayerStack` holds the shared pieces (hidden dense blocks, the prior-initialised
///   output layer).
///
/// Adding a family: one new file with a type conforming to `ModelFamily` (and, if wanted, a
/// `ModelKind` constant and typed accessors for its values), and one line in `ModelFamilies.all`.
public protocol ModelFamily: Sendable {
    var name: String { get }
    var parameters: [TrainingParameter] { get }
    func build(_ config: TrainingConfig, for shape: DataShape, rng: inout RNG) throws -> (model: Sequential, cost: ModelCost)
}

/// The shapes of the data a model is built for.
public struct DataShape: Sendable, Equatable {
    public var featureCount: Int
    /// [H, W, C] for image data; nil for tables.
    public var imageShape: [Int]?
    /// The model's outputs: classes, or (regression) targets.
    public var classCount: Int
    /// Training examples per class (any positive scale); nil: the output bias starts at zero.
    public var classPriors: [Float]?
    /// Regression: the training targets' means as the model sees them (≈ 0 once standardised);
    /// the output bias starts there, so the first predictions are the mean (the recipe's "init
    /// well"). nil for classification.
    public var targetMeans: [Float]?

    public init(featureCount: Int, imageShape: [Int]? = nil, classCount: Int, classPriors: [Float]? = nil,
                targetMeans: [Float]? = nil) {
        self.featureCount = featureCount
        self.imageShape = imageShape
        self.classCount = classCount
        self.classPriors = classPriors
        self.targetMeans = targetMeans
    }
}

/// The registry: every model family, in the order messages and docs list them.
public enum ModelFamilies {
    /// The families hpsearch ships.
    public static let builtIn: [any ModelFamily] = [
        MLPFamily(),
        CNNFamily(),
        LayerListFamily(),
    ]

    nonisolated(unsafe) private static var added: [any ModelFamily] = []
    nonisolated(unsafe) private static var cachedVocabulary: ModelVocabulary?
    private static let lock = NSLock()

    /// The built-in families, then those `register`ed, in registration order.
    public static var all: [any ModelFamily] { lock.withLock { builtIn + added } }

    /// Adds `family` (a Swift package's own, through HPSearchKit). Call it before any sweep file
    /// is read, in every process of the job (workers parse the sweep too): at the top of `main`.
    /// Throws when the name is taken, or a parameter's name is a common (trainer) parameter.
    public static func register(_ family: any ModelFamily) throws {
        try lock.withLock {
            guard !(builtIn + added).contains(where: { $0.name == family.name }) else {
                throw ModelBuildError(description: "a model family named '\(family.name)' is registered already; choose another name")
            }
            let common = Set(TrainerParameters.all.map(\.name))
            if let clash = family.parameters.first(where: { common.contains($0.name) }) {
                throw ModelBuildError(description: "model family '\(family.name)': parameter '\(clash.name)' is one of the trainer's own; rename it")
            }
            added.append(family)
            cachedVocabulary = nil
        }
    }

    /// Families whose fields every configuration fingerprint lists (the fields of the flat
    /// `TrainingConfig` that states of format 1 were saved with). Families added later list their
    /// own fields only in their own configurations, so registering one changes no fingerprint.
    static let alwaysFingerprinted: [String] = ["mlp", "cnn"]

    public static func family(named name: String) -> (any ModelFamily)? {
        all.first { $0.name == name }
    }

    public static var names: [String] { all.map(\.name) }

    /// Model name → the parameters it accepts (the family's and the common ones).
    public static var vocabulary: ModelVocabulary {
        if let v = lock.withLock({ cachedVocabulary }) { return v }
        let common = Set(TrainerParameters.all.map(\.name))
        let v = Dictionary(uniqueKeysWithValues: all.map { ($0.name, common.union($0.parameters.map(\.name))) })
        lock.withLock { cachedVocabulary = v }
        return v
    }

    /// The table entry for a family parameter: `model`'s own, else the first family's with that name.
    static func parameter(named name: String, preferring model: String) -> TrainingParameter? {
        if let p = family(named: model)?.parameters.first(where: { $0.name == name }) { return p }
        for f in all { if let p = f.parameters.first(where: { $0.name == name }) { return p } }
        return nil
    }

    /// Every family with its parameters, then the common parameters: for docs and `--help`.
    public static var documentation: String {
        var lines: [String] = []
        for f in all {
            lines.append("model: \(f.name)")
            lines += f.parameters.map { "  " + $0.documentationLine }
        }
        lines.append("every model:")
        lines += TrainerParameters.all.map { "  " + $0.documentationLine }
        return lines.joined(separator: "\n")
    }
}

/// The model a configuration trains: the name of a registered `ModelFamily`.
public struct ModelKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    /// nil unless `rawValue` names a registered family.
    public init?(rawValue: String) {
        guard ModelFamilies.family(named: rawValue) != nil else { return nil }
        self.rawValue = rawValue
    }

    init(registered name: String) { rawValue = name }

    /// Every registered family, in registry order.
    public static var allCases: [ModelKind] { ModelFamilies.names.map(ModelKind.init(registered:)) }

    public var family: any ModelFamily {
        guard let f = ModelFamilies.family(named: rawValue) else { preconditionFailure("model '\(rawValue)' is not registered") }
        return f
    }

    public var description: String { rawValue }
}

/// One hyperparameter: its sweep-file name, type and allowed values, default and help.
public struct TrainingParameter: Sendable {
    public enum Kind: Sendable {
        /// An integer ≥ `min`.
        case integer(min: Int)
        /// A finite number in [min, max], or (min, max] when `openMin`.
        case number(min: Double, max: Double, openMin: Bool)
        /// true/false (or 1/0).
        case flag
        /// One of `choices` (the spellings listed in messages and docs).
        case choice([String])
    }

    /// The sweep-file name (`learning_rate`).
    public var name: String
    /// The Swift field name, as configuration fingerprints spell it (`learningRate`).
    public var field: String
    public var kind: Kind
    /// A valid value of `kind`, in its normalised form (what `validate` returns).
    public var defaultValue: ParameterValue
    public var help: String
    /// For `.choice`: accepts a string (aliases such as `kaiming_normal`); nil: one of `choices`.
    var accepts: (@Sendable (String) -> Bool)?
    /// A further check after the type's: nil when the (normalised) value is fine, else the message.
    var check: (@Sendable (ParameterValue) -> String?)?

    public init(_ name: String, field: String, _ kind: Kind, default defaultValue: ParameterValue, help: String,
                accepts: (@Sendable (String) -> Bool)? = nil, check: (@Sendable (ParameterValue) -> String?)? = nil) {
        self.name = name
        self.field = field
        self.kind = kind
        self.defaultValue = defaultValue
        self.help = help
        self.accepts = accepts
        self.check = check
    }

    /// The value in its normalised form (`.int`, `.double`, `.bool` or `.string`), or the
    /// trainer's message for a value it cannot use.
    public func validate(_ value: ParameterValue) throws -> ParameterValue {
        func fail(_ message: String) -> TrainingConfigError { TrainingConfigError(parameter: name, message: message) }
        let normalised: ParameterValue
        switch kind {
        case .integer(let min):
            guard let v = value.intValue else { throw fail("expected an integer, got \(value)") }
            guard v >= min else { throw fail("expected an integer ≥ \(min), got \(v)") }
            normalised = .int(v)
        case .number(let min, let max, let open):
            guard let v = value.doubleValue, v.isFinite else { throw fail("expected a number, got \(value)") }
            guard v >= min, v <= max, !(open && v == min) else {
                throw fail("\(v) is out of range: expected \(open ? "(" : "[")\(min), \(max)]")
            }
            normalised = .double(v)
        case .flag:
            if let b = value.boolValue { normalised = .bool(b) }
            else if let i = value.intValue, i == 0 || i == 1 { normalised = .bool(i == 1) }
            else { throw fail("expected true or false, got \(value)") }
        case .choice(let choices):
            guard let s = value.stringValue, accepts?(s) ?? choices.contains(s) else {
                throw fail("expected one of \(choices.joined(separator: ", ")), got \(value)")
            }
            normalised = .string(s)
        }
        if let message = check?(normalised) { throw fail(message) }
        return normalised
    }

    /// The type and allowed values in words: `integer ≥ 1`, `number > 0`, `number in [0, 1]`, `one of adam, sgd`.
    public var range: String {
        switch kind {
        case .integer(let min): return "integer ≥ \(min)"
        case .number(let min, let max, let open):
            func n(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
            if max == .infinity { return "number \(open ? ">" : "≥") \(n(min))" }
            return "number in \(open ? "(" : "[")\(n(min)), \(n(max))]"
        case .flag: return "true or false"
        case .choice(let choices): return "one of \(choices.joined(separator: ", "))"
        }
    }

    /// `name (range, default d): help`.
    public var documentationLine: String { "\(name) (\(range), default \(defaultValue)): \(help)" }
}
