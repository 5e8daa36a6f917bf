// SweepFileParser: the sweep file's YAML → a validated SweepSpec, or the first problem found as a
// SweepSpecError at its line and column. Sections are read in this order: name, seed, model, data,
// metric, budget, sampler, early_stopping, parameters, ensemble, distill.
import Foundation
import Yams

struct SweepFileParser {
    let file: String
    let text: String
    let vocabulary: ModelVocabulary
    /// Whether the data section's files must exist (SweepSpec.load: yes; parse: no).
    var checkDataFiles = false

    static let topLevelKeys = ["name", "seed", "task", "data", "model", "metric", "budget", "sampler", "early_stopping",
                               "parameters", "ensemble", "distill", "human_baseline", "program", "stop_when", "initial", "repeats"]
    /// Names other tools use for our keys.
    static let topLevelAliases = ["method": "sampler", "early_terminate": "early_stopping"]
    static let metricNames = MetricSpec.known.map(\.name)

    func parse() throws -> SweepSpec {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw SweepSpecError(yaml: error, file: file, text: text)
        }
        guard let root else {
            throw SweepSpecError(location: SourceLocation(file: file, line: 0, column: 0),
                                 message: "the sweep file is empty; it needs at least name, model, budget and parameters")
        }
        let top = YAMLField(node: root, path: "", file: file, keyLocation: nil)
        guard case .mapping = root else {
            throw top.error("the sweep file must be a mapping of keys (name, model, budget, parameters, …), got \(top.found)")
        }
        let m = try top.mapping(allowed: Self.topLevelKeys, aliases: Self.topLevelAliases)

        let name = try m.required("name", "the sweep's name, e.g. `name: fashion-mlp`").text()
        let seed = try m["seed"].map { UInt64(try $0.int(atLeast: 0)) } ?? 0
        let models = modelNames.joined(separator: ", ")
        let program = try m["program"].map(programSpec)
        if program != nil, let conflict = m["model"] ?? m["data"] {
            throw conflict.keyError("a sweep with program: runs your program, which brings its own model and data; remove \(conflict.name)")
        }
        let (model, layers) = program != nil ? (ProgramSpec.modelName, nil)
            : try modelSpec(m.required("model", "the model to search, one of \(models) or {layers: [...]}, or program: {command: [...]}"))
        let task = try m["task"].map { TaskKind(rawValue: try $0.choice(TaskKind.allCases.map(\.rawValue), what: "task"))! } ?? .classification
        let data = try m["data"].map { try dataSpec($0, task: task) } ?? DataSpec(task: task)
        if task == .regression, data.source == .fashionMNIST || { if case .idx = data.source { true } else { false } }() {
            throw (m["data"] ?? m["task"]!).error("task: regression needs real-valued targets, and Fashion-MNIST and IDX files hold classes; "
                                                   + "give data: {source: {csv: {path: …, label: TARGET}}} or an npy/npz source, or drop task: regression")
        }
        let metric = try m["metric"].map { try metricSpec($0, task: task) } ?? MetricSpec()
        var budget = try budgetSpec(m.required("budget", "how much to run, e.g. `budget: {trials: 60, max_epochs: 30}` or `{time: 2h, max_epochs: 30}`"))
        let repeats = try m["repeats"].map { try $0.int(atLeast: 1) } ?? 1
        if repeats > 1, budget.hasTrialLimit, budget.trials % repeats != 0, let f = m["budget"] {
            let below = budget.trials / repeats * repeats
            throw f.error("budget.trials (\(budget.trials)) counts every repeat, so it must be a multiple of repeats (\(repeats)): "
                          + (below > 0 ? "\(below) or " : "") + "\(below + repeats)")
        }
        if !budget.hasTrialLimit { budget.trials = budget.trials / repeats * repeats }
        let sampler = try m["sampler"].map(samplerKind) ?? .random
        let earlyStopping = try m["early_stopping"].map { try earlyStoppingSpec($0, budget: budget) } ?? EarlyStoppingSpec()
        if let layers, let f = m["parameters"], case .mapping = f.node, let entries = try? f.mapping(allowed: nil).entries {
            try checkReferences(layers, names: entries.map(\.key))
        }
        let parameters = try parameterSpecs(m.required("parameters", "a mapping of parameter name → distribution"),
                                            model: model, layers: layers)
        if let layers {
            try checkReferences(layers, names: parameters.map(\.name),
                                conditional: Set(parameters.filter { !$0.when.isEmpty }.map(\.name)))
            _ = try layers.concreteLayerLists(parameters)
        }
        let ensemble = try m["ensemble"].map { try ensembleSpec($0, budget: budget) }
        let distill = try m["distill"].map { try distillSpec($0, model: model, layers: layers, task: task) }
        var spec = SweepSpec(name: name, seed: seed, data: data, model: model, metric: metric, budget: budget,
                             sampler: sampler, earlyStopping: earlyStopping, parameters: parameters, ensemble: ensemble,
                             distill: distill, layers: layers, file: file, text: text)
        spec.program = program
        spec.humanBaseline = try m["human_baseline"].map { try humanBaseline($0, task: task) } ?? [:]
        spec.repeats = repeats
        if !budget.hasTrialLimit, let n = SearchSpace.distinctConfigurations(spec), n * repeats < spec.budget.trials {
            // A time budget over a space it can exhaust: stop when every configuration has run.
            spec.budget.trials = max(n, 1) * repeats
        }
        spec.stopWhen = try m["stop_when"].map { try stopTargets($0, task: task, metric: metric) } ?? []
        spec.initial = try m["initial"].map { try initialConfigurations($0, spec: spec) } ?? []
        return spec
    }

    /// `human_baseline: {val_accuracy: 0.835}`: validation metrics a person reached on the task,
    /// by metric name (the task's `val_…` metrics), each a finite number.
    func humanBaseline(_ field: YAMLField, task: TaskKind) throws -> [String: Double] {
        let names = MetricSpec.names(for: task)
        var values: [String: Double] = [:]
        for (key, value) in try field.mapping(allowed: names).entries {
            let v = try value.number()
            guard v.isFinite else { throw value.error("human_baseline.\(key) must be a finite number, got \(v)") }
            values[key] = v
        }
        guard !values.isEmpty else {
            throw field.error("human_baseline needs at least one metric, e.g. `human_baseline: {val_accuracy: 0.835}`")
        }
        return values
    }

    // MARK: Sections

    /// `program: {command: [...], args: flags|json|env, grace_seconds: 10, max_epochs_flag: --epochs}`.
    func programSpec(_ field: YAMLField) throws -> ProgramSpec {
        let m = try field.mapping(allowed: ["command", "args", "grace_seconds", "max_epochs_flag"])
        let c = try m.required("command", "the program as an argv list, e.g. `command: [python3, train.py]`")
        guard case .sequence = c.node else {
            throw c.error("program.command must be a list of arguments (e.g. [python3, train.py, --data, /data/x]), never a shell string, got \(c.found)")
        }
        let command = try c.list().map { try $0.text() }
        guard !command.isEmpty else { throw c.error("program.command needs at least the program, e.g. [python3, train.py]") }
        let arguments = try m["args"].map { ProgramSpec.Arguments(rawValue: try $0.choice(ProgramSpec.Arguments.allCases.map(\.rawValue), what: "program.args"))! } ?? .flags
        let grace = try m["grace_seconds"].map { f -> Double in
            let v = try f.number()
            guard v.isFinite, v >= 0 else { throw f.error("program.grace_seconds must be 0 or more seconds, got \(v)") }
            return v
        } ?? 10
        let flag = try m["max_epochs_flag"].map { try $0.text() }
        return ProgramSpec(command: command, arguments: arguments, graceSeconds: grace, maxEpochsFlag: flag)
    }

    func modelName(_ field: YAMLField) throws -> String {
        let model = try field.string()
        guard vocabulary[model] != nil, model != LayerSpec.modelName else {
            let models = modelNames
            throw field.error("unknown model '\(model)'"
                              + NameSuggestion.hint(model, among: models, then: "expected " + YAMLField.list(models, "or")))
        }
        return model
    }

    private func dataSpec(_ field: YAMLField, task: TaskKind) throws -> DataSpec {
        let m = try field.mapping(allowed: ["source", "validation", "train_examples"])
        let source = try m["source"].map { try dataSource($0, task: task) } ?? .fashionMNIST
        let validation = try m["validation"].map { f -> ValidationSize in
            let value = try f.value()
            switch value {
            case .int(let n) where n >= 1: return .count(n)
            case .double(let x) where x > 0 && x < 1: return .fraction(x)
            case .int, .double:
                throw f.error("\(f.name) must be a count ≥ 1 or a fraction strictly between 0 and 1, got \(value)")
            default: throw f.mismatch("a count ≥ 1 or a fraction in (0, 1)")
            }
        }
        let trainExamples = try m["train_examples"].map { try $0.int(atLeast: 1) }
        return DataSpec(source: source, validation: validation, trainExamples: trainExamples, task: task)
    }

    /// `fashion-mnist` or one of `{idx: …}`, `{csv: …}`, `{npy: …}`, `{npz: …}` (see DataSpec). With
    /// `checkDataFiles`, each file or directory named must exist, else an error at its value.
    private func dataSource(_ field: YAMLField, task: TaskKind) throws -> DataSource {
        let expected = "fashion-mnist, {idx: {dir: PATH}}, {csv: {path: PATH, label: COLUMN}}, "
            + "{npy: {x: PATH, y: PATH}} or {npz: {path: PATH}}"
        if case .scalar = field.node {
            let s = try field.string()
            guard s == "fashion-mnist" else {
                throw field.error("unknown data source '\(s)'"
                                  + NameSuggestion.hint(s, among: ["fashion-mnist"], then: "expected \(expected)"))
            }
            return .fashionMNIST
        }
        let m = try field.mapping(allowed: nil)
        guard m.entries.count == 1, let (kind, value) = m.entries.first else {
            throw field.error("\(field.name) must name exactly one source, got \(m.entries.count); expected \(expected)")
        }
        /// The resolved path of `f`, checked to exist (as a directory when `directory`).
        func existing(_ f: YAMLField, directory: Bool = false) throws -> String {
            let path = resolve(try f.text())
            guard checkDataFiles else { return path }
            var isDirectory: ObjCBool = false
            let shown = path == (try f.text()) ? "'\(path)'" : "'\(path)' (relative paths start at the sweep file's directory)"
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw f.error("\(f.path): no such \(directory ? "directory" : "file") \(shown); check the path")
            }
            guard isDirectory.boolValue == directory else {
                throw f.error(directory ? "\(f.path): \(shown) is a file; give the directory holding the IDX files"
                                        : "\(f.path): \(shown) is a directory; give the file")
            }
            return path
        }
        func fraction(_ f: YAMLField) throws -> Double {
            let x = try f.number()
            guard x > 0 && x < 1 else {
                throw f.error("\(f.name) must be strictly between 0 and 1, got \(x.compact)")
            }
            return x
        }
        switch kind {
        case "idx":
            let idx = try value.mapping(allowed: ["dir"])
            return .idx(directory: try existing(idx.required("dir", "the directory holding the IDX files"), directory: true))
        case "csv":
            let csv = try value.mapping(allowed: ["path", "label", "test_fraction", "header", "categorical", "test_path"])
            let pathField = try csv.required("path", "the CSV file, relative to the sweep file")
            let labelField = try csv.required("label", task == .regression
                                              ? "the target column (header name or 0-based index), or a list of them: label: [y1, y2]"
                                              : "the label column's header name or 0-based index")
            func column(_ f: YAMLField) throws -> LabelColumn {
                switch try f.value() {
                case .int(let i) where i >= 0: return .index(i)
                case .string(let s) where !s.isEmpty: return .name(s)
                default: throw f.mismatch("a column name or a 0-based column index")
                }
            }
            var labels: [LabelColumn] = []
            if case .sequence = labelField.node {
                let items = try labelField.list()
                guard !items.isEmpty else { throw labelField.error("\(labelField.name): the list is empty; name the target column(s)") }
                guard task == .regression || items.count == 1 else {
                    throw labelField.error("\(labelField.name): classification takes one label column, got \(items.count); "
                                           + "for several real-valued targets set task: regression")
                }
                for f in items {
                    let c = try column(f)
                    guard !labels.contains(c) else { throw f.error("\(f.name): column \(try f.text()) is listed twice") }
                    labels.append(c)
                }
            } else {
                labels = [try column(labelField)]
            }
            let testFraction = try csv["test_fraction"].map(fraction) ?? DataSource.defaultTestFraction
            let header = try csv["header"].map { try $0.bool() } ?? true
            var categorical: [LabelColumn] = []
            for f in try csv["categorical"]?.list() ?? [] {
                let c = try column(f)
                guard !labels.contains(c) else {
                    throw f.error("\(f.name): a label column cannot be a categorical feature; list feature columns only")
                }
                guard !categorical.contains(c) else { throw f.error("\(f.name): column \(try f.text()) is listed twice") }
                if case .name = c, !header {
                    throw f.error("\(f.name): without a header, name columns by 0-based index")
                }
                categorical.append(c)
            }
            if let f = csv["test_fraction"], csv["test_path"] != nil {
                throw f.keyError("\(f.name) holds part of the file out as the test split, but test_path is the test split; remove one or the other")
            }
            return .csv(path: try existing(pathField), labels: labels, testFraction: testFraction, hasHeader: header,
                        categorical: categorical, testPath: try csv["test_path"].map { try existing($0) })
        case "npy":
            let npy = try value.mapping(allowed: ["x", "y", "test_x", "test_y", "test_fraction"])
            let xField = try npy.required("x", "the features' .npy file, [N, F] or [N, H, W, C]")
            let yField = try npy.required("y", task == .regression ? "the targets' .npy file, [N] or [N, T] numbers"
                                                                   : "the labels' .npy file, [N] integer class labels")
            let (testX, testY) = (npy["test_x"], npy["test_y"])
            if let testX, testY == nil { throw testX.keyError("\(testX.name) needs test_y, the test split's labels") }
            if let testY, testX == nil { throw testY.keyError("\(testY.name) needs test_x, the test split's features") }
            if let f = npy["test_fraction"], testX != nil {
                throw f.keyError("\(f.name) holds part of x out as the test split, but test_x and test_y are the test split; "
                                 + "remove one or the other")
            }
            let fraction = try npy["test_fraction"].map(fraction)
            return .npy(x: try existing(xField), y: try existing(yField), testX: try testX.map { try existing($0) },
                        testY: try testY.map { try existing($0) }, testFraction: fraction)
        case "npz":
            let npz = try value.mapping(allowed: ["path", "x", "y", "test_x", "test_y", "test_fraction"])
            let pathField = try npz.required("path", "the .npz archive (numpy.savez), relative to the sweep file")
            func member(_ key: String) throws -> String? {
                try npz[key].map { f in
                    let s = try f.text()
                    return s.hasSuffix(".npy") ? String(s.dropLast(4)) : s
                }
            }
            let (testX, testY) = (npz["test_x"], npz["test_y"])
            if let testX, testY == nil { throw testX.keyError("\(testX.name) needs test_y, the test split's labels' member") }
            if let testY, testX == nil { throw testY.keyError("\(testY.name) needs test_x, the test split's features' member") }
            if let f = npz["test_fraction"], testX != nil {
                throw f.keyError("\(f.name) holds part of x out as the test split, but test_x and test_y name the test split; "
                                 + "remove one or the other")
            }
            let (x, y, tx, ty) = (try member("x") ?? "x", try member("y") ?? "y", try member("test_x"), try member("test_y"))
            let fraction = try npz["test_fraction"].map(fraction)
            return .npz(path: try existing(pathField), x: x, y: y, testX: tx, testY: ty, testFraction: fraction)
        default:
            throw value.keyError("unknown data source '\(kind)'"
                                 + NameSuggestion.hint(kind, among: ["idx", "csv", "npy", "npz"], then: "expected \(expected)"))
        }
    }

    /// `path` relative to the sweep file's directory (unchanged when absolute or when the file has
    /// no directory part).
    private func resolve(_ path: String) -> String {
        guard !path.hasPrefix("/"), let slash = file.lastIndex(of: "/") else { return path }
        let relative = path.hasPrefix("./") ? String(path.dropFirst(2)) : path
        return String(file[...slash]) + relative
    }

    private func metricSpec(_ field: YAMLField, task: TaskKind) throws -> MetricSpec {
        let m = try field.mapping(allowed: ["name", "goal"])
        let names = MetricSpec.names(for: task)
        if let f = m["name"], let given = try? f.string(), Self.metricNames.contains(given), !names.contains(given) {
            throw f.error("\(given) needs \(MetricSpec.known.first { $0.name == given }?.needs ?? "another task"), and this sweep's task is "
                          + "\(task.rawValue): use one of \(names.joined(separator: ", "))")
        }
        let name = try m["name"].map { try $0.choice(names, what: "metric") } ?? "val_loss"
        let natural = MetricSpec.natural(name) ?? .minimize
        guard let goalField = m["goal"] else { return MetricSpec(name: name, goal: natural) }
        let goal = Goal(rawValue: try goalField.choice(Goal.allCases.map(\.rawValue), what: "goal",
                                                       aliases: ["min": "minimize", "max": "maximize"]))!
        guard goal == natural else {
            throw goalField.error("goal '\(goal.rawValue)' for \(name) would rank the worst trials first; "
                                  + "use goal: \(natural.rawValue)")
        }
        return MetricSpec(name: name, goal: goal)
    }

    private func budgetSpec(_ field: YAMLField) throws -> Budget {
        let m = try field.mapping(allowed: ["trials", "max_epochs", "time", "trial_time"])
        let time = try m["time"].map { try duration($0) }
        let trialTime = try m["trial_time"].map { try duration($0) }
        let maxEpochs = try m.required("max_epochs", "the most epochs one trial trains (an integer ≥ 1)").int(atLeast: 1)
        // trials: is required unless time: is given.
        guard let trialsField = try m["trials"] ?? (time == nil ? m.required(
            "trials", "how many trials to run (an integer ≥ 1), or time: (e.g. 2h) to run until the time is spent") : nil) else {
            return .timeOnly(time!, maxEpochs: maxEpochs, trialTime: trialTime)  // time is set: required() threw otherwise
        }
        let trials = try trialsField.int(atLeast: 1)
        return Budget(trials: trials, maxEpochs: maxEpochs, time: time, trialTime: trialTime)
    }

    /// `90`, `90s`, `30m`, `2h`, `1h30m`: seconds > 0.
    private func duration(_ field: YAMLField) throws -> Double {
        let text: String
        if case .scalar(let s) = field.node { text = s.string } else { throw field.mismatch("a duration such as 90s, 30m or 2h") }
        guard let seconds = Budget.seconds(in: text) else {
            throw field.error("\(field.name) takes a duration such as 90s, 30m, 2h or 1h30m (a bare number is seconds), got '\(text)'")
        }
        return seconds
    }

    /// `stop_when: {val_accuracy: 0.92}`: one or more of the task's metrics, each with a finite
    /// value; the direction is the metric's own goal.
    private func stopTargets(_ field: YAMLField, task: TaskKind, metric: MetricSpec) throws -> [StopTarget] {
        var names = MetricSpec.names(for: task)
        if !names.contains(metric.name) { names.append(metric.name) }
        var targets: [StopTarget] = []
        for (key, value) in try field.mapping(allowed: names).entries {
            let v = try value.number()
            guard v.isFinite else { throw value.error("stop_when.\(key) must be a finite number, got \(v)") }
            let goal = key == metric.name ? metric.goal : MetricSpec.natural(key) ?? .minimize
            targets.append(StopTarget(metric: MetricSpec(name: key, goal: goal), value: v))
        }
        guard !targets.isEmpty else {
            throw field.error("stop_when needs a metric and the value that is good enough, e.g. `stop_when: {val_accuracy: 0.92}`")
        }
        return targets
    }

    /// `initial: [defaults, {learning_rate: 3.0e-3, width: 256}, …]`: configurations to evaluate
    /// first. `defaults` is every parameter's default (else its median); a mapping overrides
    /// those, each value checked against its parameter's distribution as `--set` is, and
    /// parameters its values leave inactive are dropped. No two may be equal, and with their
    /// repeats they must fit in `budget.trials`.
    private func initialConfigurations(_ field: YAMLField, spec: SweepSpec) throws -> [Configuration] {
        let items = try field.list()
        guard !items.isEmpty else {
            throw field.error("initial needs at least one configuration, e.g. `initial: [defaults, {learning_rate: 3.0e-3}]`")
        }
        var configurations: [Configuration] = []
        for item in items {
            let config: Configuration
            if case .scalar(let s) = item.node {
                guard s.string == "defaults" else {
                    throw item.error("each entry of initial is `defaults` or a mapping of parameter values such as {learning_rate: 3.0e-3}, got '\(s.string)'")
                }
                config = spec.defaultConfiguration()
            } else {
                var overrides: [String] = []
                let entries = try item.mapping(allowed: nil).entries
                let names = spec.parameters.map(\.name)
                for (key, value) in entries {
                    guard spec.parameter(named: key) != nil else {
                        throw value.keyError("\(item.name) names '\(key)', which is not a parameter of this sweep" + NameSuggestion.hint(
                            key, among: names, then: "its parameters are: " + names.joined(separator: ", ")))
                    }
                    guard case .scalar(let s) = value.node else { throw value.mismatch("one value of parameter '\(key)'") }
                    overrides.append("\(key)=\(s.string)")
                }
                do {
                    config = try spec.applying(overrides: overrides, to: spec.defaultConfiguration())
                } catch let error as SweepSpecError {
                    // Point at the entry, in the words of the sweep file rather than --set's.
                    let key = overrides.first { error.message.contains($0) }.flatMap { o in entries.first { o.hasPrefix($0.key + "=") } }
                    var message = error.message
                    for o in overrides { message = message.replacingOccurrences(of: "--set \(o): ", with: "") }
                    message = message.replacingOccurrences(of: "--set ", with: "")
                    throw (key?.value ?? item).error("\(item.name): " + message)
                }
            }
            if let earlier = configurations.firstIndex(of: config) {
                throw item.error("\(item.name) is the same configuration as initial[\(earlier)]; remove one")
            }
            configurations.append(config)
        }
        let needed = configurations.count * spec.repeats
        if spec.budget.hasTrialLimit, needed > spec.budget.trials {
            throw field.error("initial has \(configurations.count) configuration" + (configurations.count == 1 ? "" : "s")
                              + (spec.repeats > 1 ? " × \(spec.repeats) repeats" : "") + ", more than budget.trials (\(spec.budget.trials)), "
                              + "which counts them; raise budget.trials or list fewer")
        }
        return configurations
    }

    private func samplerKind(_ field: YAMLField) throws -> SamplerKind {
        if (try? field.string()) == "grid" {
            throw field.error("sampler 'grid' is not supported: random search beats grid search when only a few "
                              + "parameters matter (Bergstra & Bengio 2012); use random or sobol")
        }
        return SamplerKind(rawValue: try field.choice(SamplerKind.allCases.map(\.rawValue), what: "sampler"))!
    }

    private func earlyStoppingSpec(_ field: YAMLField, budget: Budget) throws -> EarlyStoppingSpec {
        let m = try field.mapping(allowed: ["patience", "min_delta", "scheduler"])
        let patience = try m["patience"].map { try $0.int(atLeast: 1) }
        let minDelta = try m["min_delta"].map { f in
            let x = try f.number()
            guard x >= 0 else { throw f.error("\(f.name) must be at least 0, got \(x.compact)") }
            return x
        } ?? 0
        let scheduler = try m["scheduler"].map { try schedulerSpec($0, budget: budget) } ?? .none
        return EarlyStoppingSpec(patience: patience, minDelta: minDelta, scheduler: scheduler)
    }

    /// `scheduler: asha` (defaults) or `scheduler: {type: asha, grace_epochs: 2, …}`; the names and
    /// keys are `Schedulers.all`'s.
    private func schedulerSpec(_ field: YAMLField, budget: Budget) throws -> SchedulerSpec {
        let types = Schedulers.names
        if case .scalar = field.node {
            return Schedulers.named(try field.choice(types, what: "scheduler"))!.defaults
        }
        let m = try field.mapping(allowed: ["type"] + Schedulers.keyNames)
        let type = try m.required("type", "one of " + YAMLField.list(types, "or")).choice(types, what: "scheduler")
        return try Schedulers.named(type)!.spec(from: m, budget: budget)
    }

    private func ensembleSpec(_ field: YAMLField, budget: Budget) throws -> EnsembleSpec {
        let m = try field.mapping(allowed: ["top_k", "method"])
        let topK = try m["top_k"].map { f in
            let k = try f.int(atLeast: 1)
            guard k <= budget.trials else {
                throw f.error("\(f.name) (\(k)) must be at most budget.trials (\(budget.trials))")
            }
            return k
        } ?? min(5, budget.trials)
        let method = try m["method"].map { try $0.choice(EnsembleSpec.methods, what: "ensemble method") } ?? "average"
        return EnsembleSpec(topK: topK, method: method)
    }

    private func distillSpec(_ field: YAMLField, model: String, layers: LayerSpec?, task: TaskKind) throws -> DistillSpec {
        let m = try field.mapping(allowed: ["temperature", "alpha", "epochs", "trials", "student"])
        // A regression student learns the teacher's mean prediction: no softmax, no temperature.
        if task == .regression, let f = m["temperature"] {
            throw f.keyError("\(f.name) softens a classifier's probabilities; a regression student learns the teacher's mean prediction: remove it")
        }
        let temperature = task == .regression ? .constant(.double(1)) : try distillParameter(
            m.required("temperature", "the softmax temperature, a number > 0 or a distribution"),
            must: "be greater than 0") { lower, _ in lower > 0 }
        let alpha = try distillParameter(
            m.required("alpha", "the soft-target weight, a number in [0, 1] or a distribution"),
            must: "lie in [0, 1]") { lower, upper in lower >= 0 && upper <= 1 }
        let epochs = try m["epochs"].map { try $0.int(atLeast: 1) }
        let trials = try m["trials"].map { try $0.int(atLeast: 1) } ?? 1
        var student: [String: ParameterValue] = [:]
        if let f = m["student"] {
            for (name, value) in try f.mapping(allowed: nil).entries {
                try checkVocabulary(name, of: model, layers: layers, at: value)
                student[name] = try value.value()
            }
        }
        return DistillSpec(temperature: temperature, alpha: alpha, epochs: epochs, trials: trials, student: student)
    }

    /// A number (→ `.constant(.double)`) or a distribution spec, every value of which satisfies `ok`.
    private func distillParameter(_ field: YAMLField, must: String,
                                  _ ok: (Double, Double) -> Bool) throws -> Distribution {
        if case .mapping = field.node {
            let distribution = try distribution(field.mapping(allowed: Self.distributionKeys))
            guard let bounds = distribution.numericBounds else {
                throw field.error("\(field.name) must take numbers only, got \(distribution)")
            }
            guard ok(bounds.lower, bounds.upper) else {
                throw field.error("every value of \(field.name) must \(must), but it takes \(distribution)")
            }
            return distribution
        }
        let x = try field.number()
        guard ok(x, x) else { throw field.error("\(field.name) must \(must), got \(x.compact)") }
        return .constant(.double(x))
    }

    /// Throws at `field`'s key unless `model` accepts parameter `name`. A layer-list model accepts
    /// the trainer's parameters and every parameter its layers reference.
    func checkVocabulary(_ name: String, of model: String, layers: LayerSpec? = nil, at field: YAMLField) throws {
        // A program takes whatever parameters it is written for.
        if model == ProgramSpec.modelName { return }
        if let layers {
            let referenced = layers.referencedParameters
            let trainer = trainerVocabulary
            guard !referenced.contains(name), !trainer.contains(name) else { return }
            let hint = NameSuggestion.nearest(to: name, among: trainer.union(referenced)).map { " (did you mean '\($0)'?)" } ?? ""
            throw field.keyError("parameter '\(name)' is used by no layer and is not one of the trainer's parameters\(hint); "
                                 + "reference it in a layer argument as ${\(name)} or remove it; the layers reference "
                                 + (referenced.isEmpty ? "no parameter" : referenced.joined(separator: ", "))
                                 + "; the trainer's parameters are: " + trainer.sorted().joined(separator: ", "))
        }
        let accepted = vocabulary[model] ?? []
        guard !accepted.contains(name) else { return }
        let hint = NameSuggestion.nearest(to: name, among: accepted).map { "did you mean '\($0)'? It" } ?? "it"
        throw field.keyError("model '\(model)' has no parameter '\(name)'; \(hint) accepts: "
                             + accepted.sorted().joined(separator: ", "))
    }
}
