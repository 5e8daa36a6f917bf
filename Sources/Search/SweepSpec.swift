// SweepSpec: a validated sweep file — what to search, on which data, within which budget.
import Foundation
import Yams

/// A sweep file, parsed and validated against a model vocabulary. Every value here already
/// satisfies the documented invariants of its type; the parser reports the first violation as a
/// `SweepSpecError` at its line and column.
public struct SweepSpec: Sendable {
    public var name: String
    /// Seeds every random choice of the sweep (`seed:`, default 0).
    public var seed: UInt64
    public var data: DataSpec
    /// `task:` (kept in the data section, which it describes).
    public var task: TaskKind { data.task }
    /// A key of the vocabulary the spec was parsed with, or `LayerSpec.modelName` (`layers`) when
    /// the model is a layer list (then in `layers`).
    public var model: String
    public var metric: MetricSpec
    public var budget: Budget
    public var sampler: SamplerKind
    public var earlyStopping: EarlyStoppingSpec
    /// In file order; names are unique, in the model's vocabulary, and `when` conditions name other
    /// parameters of this list, with possible values, without cycles.
    public var parameters: [ParameterSpec]
    public var ensemble: EnsembleSpec?
    public var distill: DistillSpec?
    /// `human_baseline:` the validation metrics a person reached (`val_accuracy: 0.835`), by
    /// metric name; empty when the file gives none. `hpsearch check` and the report show them
    /// beside the trained baselines.
    public var humanBaseline: [String: Double] = [:]
    /// The layer list of `model: {layers: …}`; nil for a named model. Every `${name}` in it names a
    /// parameter without `when`, and it evaluates for every configuration of `extremeConfigurations`.
    public var layers: LayerSpec?
    /// `program:` — trials run the user's program (then `model` is `ProgramSpec.modelName` and
    /// the data section does not apply); nil for the built-in trainer.
    public var program: ProgramSpec?
    /// `stop_when:` — the sweep ends (as when its time is spent) once any trial reaches one of
    /// these; empty: no target.
    public var stopWhen: [StopTarget] = []
    /// `initial:` — the configurations of the first trials (configuration indices 0, 1, …), in
    /// order, each complete and distinct; the sampler never gives them again. Empty: none.
    public var initial: [Configuration] = []
    /// `repeats:` — how many trials (seeds) each configuration gets (≥ 1). Trial i trains
    /// configuration i / repeats with its own seed; the configuration's figure is the mean of
    /// its repeats', and the cross-trial stopper judges that mean.
    public var repeats = 1
    /// The path the spec was loaded from, as given (or the `file` passed to `parse`).
    public var file: String
    /// The file's full text, to be copied into run directories.
    public var text: String

    public init(name: String, seed: UInt64 = 0, data: DataSpec = DataSpec(), model: String,
                metric: MetricSpec = MetricSpec(), budget: Budget, sampler: SamplerKind = .random,
                earlyStopping: EarlyStoppingSpec = EarlyStoppingSpec(), parameters: [ParameterSpec],
                ensemble: EnsembleSpec? = nil, distill: DistillSpec? = nil, layers: LayerSpec? = nil,
                file: String = "", text: String = "") {
        self.name = name
        self.seed = seed
        self.data = data
        self.model = model
        self.metric = metric
        self.budget = budget
        self.sampler = sampler
        self.earlyStopping = earlyStopping
        self.parameters = parameters
        self.ensemble = ensemble
        self.distill = distill
        self.layers = layers
        self.file = file
        self.text = text
    }

    /// Reads and parses the sweep file at `path`. Relative data paths in it resolve against the
    /// file's directory. Throws `SweepSpecError`, at line 0, column 0 when the file cannot be read.
    /// With `checkDataFiles` (the default), every data file and directory the data section names
    /// must exist, else the error is at the path's line and column.
    public static func load(path: String, vocabulary: ModelVocabulary, checkDataFiles: Bool = true) throws -> SweepSpec {
        func fail(_ message: String) -> SweepSpecError {
            SweepSpecError(location: SourceLocation(file: path, line: 0, column: 0), message: message)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw fail("no such sweep file; check the path (relative paths start at the current directory)")
        }
        guard !isDirectory.boolValue else { throw fail("this is a directory; give the sweep's YAML file instead") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw fail("cannot read the sweep file; check its permissions")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw fail("the sweep file is not UTF-8 text; save it as UTF-8")
        }
        return try parse(yaml: text, file: path, vocabulary: vocabulary, checkDataFiles: checkDataFiles)
    }

    /// Parses sweep-file text. `file` names it in errors and anchors relative data paths. Data
    /// files are not looked at unless `checkDataFiles` (off by default: the text may be a stored
    /// copy, or a worker's, whose paths are checked where the sweep was loaded).
    public static func parse(yaml: String, file: String, vocabulary: ModelVocabulary,
                             checkDataFiles: Bool = false) throws -> SweepSpec {
        try SweepFileParser(file: file, text: yaml, vocabulary: vocabulary, checkDataFiles: checkDataFiles).parse()
    }

    /// The layer list evaluated at the extreme values of its parameters (empty for a named model).
    public func concreteLayerLists() throws -> [ConcreteLayerList] {
        try layers?.concreteLayerLists(parameters) ?? []
    }

    /// The configuration index of trial `index` (its repeat group): `index / repeats`.
    public func configurationIndex(ofTrial index: Int) -> Int { index / max(repeats, 1) }

    public func parameter(named name: String) -> ParameterSpec? {
        parameters.first { $0.name == name }
    }

    /// Each active parameter's `default`, else its distribution's median; parameters whose `when`
    /// is unmet are absent. Resolved in dependency order, so conditions see their parameters.
    public func defaultConfiguration() -> Configuration {
        var config = Configuration()
        for spec in dependencyOrder() where spec.isActive(in: config) {
            config[spec.name] = spec.initialValue
        }
        return config
    }

    /// Applies `name=value` overrides (the CLI's `--set`) to `base`, later ones winning.
    ///
    /// The value is read like a YAML scalar (`3`, `1e-3`, `true`, `adam`; text that reads as a
    /// number or bool is also tried as a string) and stored in the distribution's canonical form.
    /// Afterwards, in dependency order, parameters whose `when` became unmet are dropped and newly
    /// active ones missing from `base` get their default (else median). Names not in the spec are
    /// kept as they are.
    ///
    /// Throws `SweepSpecError`: at `--set:0:0` for a malformed item or unknown name (with the
    /// nearest name); at the parameter's location in the sweep file for a value the distribution
    /// does not contain, or for overriding a parameter that the other values leave inactive.
    public func applying(overrides: [String], to base: Configuration) throws -> Configuration {
        func cli(_ message: String) -> SweepSpecError {
            SweepSpecError(location: SourceLocation(file: "--set", line: 0, column: 0), message: message)
        }
        var config = base
        var overridden: [String: String] = [:]
        for item in overrides {
            guard let eq = item.firstIndex(of: "=") else { throw cli("expected NAME=VALUE, got '\(item)'") }
            let name = item[..<eq].trimmingCharacters(in: .whitespaces)
            let text = item[item.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            let names = parameters.map(\.name)
            guard let spec = parameter(named: name) else {
                throw cli("unknown parameter '\(name)' in '\(item)'" + NameSuggestion.hint(
                    name, among: names, then: "this sweep's parameters are: " + names.joined(separator: ", ")))
            }
            let read = try? YAMLField(node: Node(text), path: name, file: "--set", keyLocation: nil).value()
            guard let value = [read, .string(text)].lazy.compactMap({ $0.flatMap(spec.distribution.canonical) }).first else {
                throw SweepSpecError(location: spec.location,
                                     message: "--set \(item): '\(name)' takes \(spec.distribution), got '\(text)'")
            }
            config[name] = value
            overridden[name] = item
        }
        for spec in dependencyOrder() {
            if spec.isActive(in: config) {
                if config[spec.name] == nil { config[spec.name] = spec.initialValue }
            } else if let item = overridden[spec.name] {
                let unmet = spec.when.filter { name, allowed in !allowed.contains { config[name].map($0.matches) ?? false } }
                    .sorted { $0.key < $1.key }
                let reasons = unmet.map { name, allowed in
                    "\(name) is \(config[name]?.description ?? "inactive"), not "
                        + allowed.map(\.description).joined(separator: " or ")
                }
                let fix = unmet.map { "--set \($0.key)=\($0.value[0])" }.joined(separator: " ")
                throw SweepSpecError(location: spec.location, message: "--set \(item): '\(spec.name)' is inactive because "
                                        + reasons.joined(separator: " and ") + "; add \(fix) to enable it")
            } else {
                config[spec.name] = nil
            }
        }
        return config
    }

    /// The parameters ordered so that each comes after those its `when` names (file order otherwise).
    func dependencyOrder() -> [ParameterSpec] {
        var placed = Set<String>(), order: [ParameterSpec] = []
        var remaining = parameters
        while !remaining.isEmpty {
            let ready = remaining.firstIndex { $0.when.keys.allSatisfy { placed.contains($0) || parameter(named: $0) == nil } }
            let next = remaining.remove(at: ready ?? 0)  // a cycle (impossible from the parser) breaks in file order
            placed.insert(next.name)
            order.append(next)
        }
        return order
    }
}
