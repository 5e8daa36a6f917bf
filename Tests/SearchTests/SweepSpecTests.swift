// SweepSpec parsing: a full file, defaults, inference, relative paths, conditional defaults and
// the errors that are easier to check here than in the Malformed corpus.
import Foundation
import Search
import TestSupport
import XCTest

final class SweepSpecTests: XCTestCase {
    static let full = """
    # A sweep using every section.
    name: fashion-mlp
    seed: 7
    data:
      source: {idx: {dir: data/fmnist}}
      validation: 0.2
      train_examples: 5000
    model: mlp
    metric: {name: val_accuracy, goal: maximize}
    budget: {trials: 60, max_epochs: 30}
    sampler: sobol
    early_stopping:
      patience: 4
      min_delta: 0.001
      scheduler: {type: hyperband, grace_epochs: 2, reduction_factor: 3, brackets: 2}
    parameters:
      learning_rate: {distribution: log_uniform_values, min: 1.0e-4, max: 1.0e-2, default: 1.0e-3}
      width:         {distribution: q_log_uniform_values, min: 64, max: 1024, q: 32}
      depth:         {values: [1, 2, 3], probabilities: [0.25, 0.5, 0.25]}
      dropout:       {distribution: uniform, min: 0.0, max: 0.5}
      momentum:      {distribution: uniform, min: 0.8, max: 0.99, when: {optimizer: sgd}}
      optimizer:     {values: [adam, adamw, sgd], default: sgd}
      nesterov:      {values: [true, false], when: {momentum: [0.9, 0.95]}}
      weight_decay:  {distribution: normal, mu: 0.001, sigma: 0.0002, when: {optimizer: [adamw, sgd]}}
      batch_size:    {min: 32, max: 256, default: 128.0}
      batch_norm:    {value: true}
      init:          {values: ["1", 2]}
      label_smoothing: {distribution: log_normal, sigma: 0.5}
      warmup_epochs: {distribution: q_uniform, min: 0, max: 3, q: 1}
    ensemble: {top_k: 5, method: greedy}
    distill:
      temperature: {values: [2, 4, 8]}
      alpha: 0.7
      epochs: 20
      trials: 3
      student: {width: 128, depth: 1}
    """

    func testAFullSpecParsesIntoTheExpectedValues() throws {
        let spec = try TestVocabulary.parse(Self.full, file: "sweeps/full.yaml")
        XCTAssertEqual(spec.name, "fashion-mlp")
        XCTAssertEqual(spec.seed, 7)
        XCTAssertEqual(spec.data, DataSpec(source: .idx(directory: "sweeps/data/fmnist"), validation: .fraction(0.2),
                                           trainExamples: 5000))
        XCTAssertEqual(spec.model, "mlp")
        XCTAssertEqual(spec.metric, MetricSpec(name: "val_accuracy", goal: .maximize))
        XCTAssertEqual(spec.budget, Budget(trials: 60, maxEpochs: 30))
        XCTAssertEqual(spec.sampler, .sobol)
        XCTAssertEqual(spec.earlyStopping, EarlyStoppingSpec(patience: 4, minDelta: 0.001,
                                                             scheduler: .hyperband(graceEpochs: 2, reductionFactor: 3, brackets: 2)))
        XCTAssertEqual(spec.ensemble, EnsembleSpec(topK: 5, method: "greedy"))
        XCTAssertEqual(spec.distill, DistillSpec(temperature: .categorical(values: [.int(2), .int(4), .int(8)], probabilities: nil),
                                                 alpha: .constant(.double(0.7)), epochs: 20, trials: 3,
                                                 student: ["width": .int(128), "depth": .int(1)]))
        XCTAssertEqual(spec.file, "sweeps/full.yaml")
        XCTAssertEqual(spec.text, Self.full)

        XCTAssertEqual(spec.parameters.map(\.name), ["learning_rate", "width", "depth", "dropout", "momentum", "optimizer",
                                                     "nesterov", "weight_decay", "batch_size", "batch_norm", "init",
                                                     "label_smoothing", "warmup_epochs"])
        let p = Dictionary(uniqueKeysWithValues: spec.parameters.map { ($0.name, $0) })
        XCTAssertEqual(p["learning_rate"]?.distribution, .logUniformValues(min: 1e-4, max: 1e-2))
        XCTAssertEqual(p["learning_rate"]?.defaultValue, .double(1e-3))
        XCTAssertEqual(p["learning_rate"]?.location, SourceLocation(file: "sweeps/full.yaml", line: 17, column: 3))
        XCTAssertEqual(p["width"]?.distribution, .qLogUniformValues(min: 64, max: 1024, q: 32))
        XCTAssertEqual(p["depth"]?.distribution, .categorical(values: [.int(1), .int(2), .int(3)], probabilities: [0.25, 0.5, 0.25]))
        XCTAssertEqual(p["dropout"]?.distribution, .uniform(min: 0, max: 0.5))
        XCTAssertEqual(p["momentum"]?.when, ["optimizer": [.string("sgd")]])
        XCTAssertEqual(p["nesterov"]?.when, ["momentum": [.double(0.9), .double(0.95)]])
        XCTAssertEqual(p["weight_decay"]?.distribution, .normal(mu: 0.001, sigma: 0.0002))
        XCTAssertEqual(p["weight_decay"]?.when, ["optimizer": [.string("adamw"), .string("sgd")]])
        XCTAssertEqual(p["batch_size"]?.distribution, .intUniform(min: 32, max: 256))   // inferred from two integers
        XCTAssertEqual(p["batch_size"]?.defaultValue, .int(128))                        // in the distribution's form
        XCTAssertEqual(p["batch_norm"]?.distribution, .constant(.bool(true)))
        XCTAssertEqual(p["init"]?.distribution, .categorical(values: [.string("1"), .int(2)], probabilities: nil))
        XCTAssertEqual(p["label_smoothing"]?.distribution, .logNormal(mu: 0, sigma: 0.5))
        XCTAssertEqual(p["warmup_epochs"]?.distribution, .qUniform(min: 0, max: 3, q: 1))
        XCTAssertEqual(spec.parameter(named: "depth"), p["depth"])
        XCTAssertNil(spec.parameter(named: "kernel"))
    }

    func testOptionalSectionsTakeTheirDefaults() throws {
        let spec = try TestVocabulary.parse("""
        name: minimal
        model: cnn
        budget: {trials: 3, max_epochs: 2}
        parameters:
          kernel: {values: [3, 5]}
          dropout: {min: 0, max: 0.5}
        """)
        XCTAssertEqual(spec.seed, 0)
        XCTAssertEqual(spec.data, DataSpec(source: .fashionMNIST, validation: .count(10_000), trainExamples: nil))
        XCTAssertEqual(spec.metric, MetricSpec(name: "val_loss", goal: .minimize))
        XCTAssertEqual(spec.sampler, .random)
        XCTAssertEqual(spec.earlyStopping, EarlyStoppingSpec(patience: nil, minDelta: 0, scheduler: .none))
        XCTAssertNil(spec.ensemble)
        XCTAssertNil(spec.distill)
        XCTAssertEqual(spec.humanBaseline, [:])
        XCTAssertEqual(spec.parameter(named: "dropout")?.distribution, .uniform(min: 0, max: 0.5))  // one float makes it uniform
    }

    func testAHumanBaselineIsKeptByMetricName() throws {
        let spec = try TestVocabulary.parse("""
        name: human
        model: mlp
        budget: {trials: 3, max_epochs: 2}
        parameters: {width: {values: [8, 16]}}
        human_baseline: {val_accuracy: 0.835, val_loss: 0.5}
        """)
        XCTAssertEqual(spec.humanBaseline, ["val_accuracy": 0.835, "val_loss": 0.5])
    }

    func testSectionDefaultsAndShorthands() throws {
        let spec = try TestVocabulary.parse("""
        name: 2024
        model: mlp
        data: {source: {csv: {path: ./iris.csv, label: 4}}}
        metric: {name: val_accuracy}
        budget: {trials: 3, max_epochs: 2}
        early_stopping: {scheduler: median}
        parameters: {}
        ensemble: {method: average}
        distill: {temperature: {distribution: log_uniform_values, min: 1, max: 10}, alpha: {min: 0.1, max: 0.9}}
        """, file: "/abs/dir/s.yaml")
        XCTAssertEqual(spec.name, "2024")
        XCTAssertEqual(spec.data.source, .csv(path: "/abs/dir/iris.csv", labels: [.index(4)], testFraction: 0.2, hasHeader: true))
        XCTAssertEqual(spec.data.validation, .fraction(0.1))
        XCTAssertEqual(spec.metric.goal, .maximize)
        XCTAssertEqual(spec.earlyStopping.scheduler, .median(graceEpochs: 1, minTrials: 5))
        XCTAssertEqual(spec.ensemble, EnsembleSpec(topK: 3, method: "average"))  // 5, capped by the trials
        XCTAssertEqual(spec.distill?.trials, 1)
        XCTAssertEqual(spec.distill?.alpha, .uniform(min: 0.1, max: 0.9))
        XCTAssertTrue(spec.parameters.isEmpty)
    }

    func testDataPathsResolveAgainstTheSweepFilesDirectory() throws {
        func source(_ yaml: String, file: String) throws -> DataSource {
            try TestVocabulary.parse("name: s\nmodel: mlp\nbudget: {trials: 1, max_epochs: 1}\nparameters: {}\n" + yaml,
                                     file: file).data.source
        }
        let csv = "data: {source: {csv: {path: tables/x.csv, label: species, test_fraction: 0.3, header: false}}}"
        XCTAssertEqual(try source(csv, file: "sweeps/s.yaml"),
                       .csv(path: "sweeps/tables/x.csv", labels: [.name("species")], testFraction: 0.3, hasHeader: false))
        XCTAssertEqual(try source(csv, file: "s.yaml"),
                       .csv(path: "tables/x.csv", labels: [.name("species")], testFraction: 0.3, hasHeader: false))
        XCTAssertEqual(try source("data: {source: {idx: {dir: /data/mnist}}}", file: "sweeps/s.yaml"), .idx(directory: "/data/mnist"))
    }

    func testLoadReadsTheFileAndResolvesPathsNextToIt() throws {
        let dir = try TemporaryDirectory(prefix: "search-load")
        let text = "name: s\nmodel: mlp\nbudget: {trials: 1, max_epochs: 1}\nparameters: {}\ndata: {source: {idx: {dir: mnist}}}\n"
        let path = dir.file("s.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: dir.file("mnist"), withIntermediateDirectories: true)  // load checks data paths
        let spec = try SweepSpec.load(path: path, vocabulary: TestVocabulary.models)
        XCTAssertEqual(spec.file, path)
        XCTAssertEqual(spec.text, text)
        XCTAssertEqual(spec.data.source, .idx(directory: dir.file("mnist").path))
        XCTAssertEqual(spec.data.validation, .count(10_000))
    }

    func testLoadReportsAMissingFileAtLineZero() {
        XCTAssertThrowsError(try SweepSpec.load(path: "/nonexistent/sweep.yaml", vocabulary: TestVocabulary.models)) { error in
            let e = error as? SweepSpecError
            XCTAssertEqual(e?.location, SourceLocation(file: "/nonexistent/sweep.yaml", line: 0, column: 0))
            XCTAssertTrue("\(error)".hasPrefix("/nonexistent/sweep.yaml:0:0: no such sweep file"), "\(error)")
        }
    }

    func testDefaultConfigurationFollowsConditionsInDependencyOrder() throws {
        let spec = try TestVocabulary.parse(Self.full)
        // optimizer defaults to sgd → momentum (listed before optimizer) is active at its median;
        // nesterov needs momentum 0.9 or 0.95, which the median 0.895 is not.
        let config = spec.defaultConfiguration()
        XCTAssertEqual(config["optimizer"], .string("sgd"))
        XCTAssertEqual(config["momentum"]?.doubleValue ?? 0, 0.895, accuracy: 1e-12)
        XCTAssertNil(config["nesterov"])
        XCTAssertEqual(config["weight_decay"], .double(0.001))
        XCTAssertEqual(config["learning_rate"], .double(1e-3))
        XCTAssertEqual(config["width"], .int(256))
        XCTAssertEqual(config["depth"], .int(1))
        XCTAssertEqual(config["batch_size"], .int(128))
        XCTAssertEqual(config["batch_norm"], .bool(true))
        XCTAssertEqual(config["label_smoothing"], .double(1))
        XCTAssertEqual(config.values.count, 12)

        let adam = try TestVocabulary.parse("""
        name: s
        model: mlp
        budget: {trials: 1, max_epochs: 1}
        parameters:
          nesterov: {values: [true, false], when: {momentum: 0.9}}
          momentum: {values: [0.9, 0.99], when: {optimizer: sgd}}
          optimizer: {values: [adam, sgd]}
        """).defaultConfiguration()
        XCTAssertEqual(adam, Configuration(["optimizer": .string("adam")]))
    }

    func testActivityChecksEveryCondition() {
        let spec = ParameterSpec(name: "nesterov", distribution: .constant(.bool(true)),
                                 when: ["optimizer": [.string("sgd")], "momentum": [.double(0.9), .int(1)]])
        XCTAssertTrue(spec.isActive(in: Configuration(["optimizer": .string("sgd"), "momentum": .int(1)])))
        XCTAssertFalse(spec.isActive(in: Configuration(["optimizer": .string("sgd")])))
        XCTAssertFalse(spec.isActive(in: Configuration(["optimizer": .string("adam"), "momentum": .double(0.9)])))
        XCTAssertTrue(ParameterSpec(name: "x", distribution: .constant(.int(1))).isActive(in: Configuration()))
    }

    func testYAMLSpellingsOfScalars() throws {
        let spec = try TestVocabulary.parse("""
        name: s
        model: mlp
        budget: {trials: 0x10, max_epochs: 1_000}
        parameters:
          init: {values: ["1", 1, 1.5, yes, 'true', ~x]}
        """)
        XCTAssertEqual(spec.budget, Budget(trials: 16, maxEpochs: 1000))
        XCTAssertEqual(spec.parameter(named: "init")?.distribution,
                       .categorical(values: [.string("1"), .int(1), .double(1.5), .bool(true), .string("true"), .string("~x")],
                                    probabilities: nil))
    }

    func testDuplicateKeysAreReportedWhereTheyRepeat() {
        let block = TestVocabulary.error("name: a\nmodel: mlp\nbudget: {trials: 1, max_epochs: 1}\nparameters:\n"
                                         + "  depth: {value: 1}\n  # again\n  depth: {value: 2}\n")
        XCTAssertEqual(block?.location.line, 7)
        XCTAssertEqual(block?.location.column, 3)
        XCTAssertTrue(block?.message.contains("duplicate key 'depth': it is already set at line 5") ?? false, "\(String(describing: block))")

        let flow = TestVocabulary.error("name: a\nmodel: mlp\nbudget: {trials: 1, max_epochs: 1, trials: 2}\nparameters: {}\n")
        XCTAssertEqual(flow?.location.line, 3)
        XCTAssertEqual(flow?.location.column, 36)
        XCTAssertTrue(flow?.message.contains("duplicate key 'trials'") ?? false)
    }

    func testMessagesSayWhatToDo() {
        let cases: [(yaml: String, message: String)] = [
            ("budget: {trials: ten, max_epochs: 1}\nparameters: {}",
             "2:18: expected an integer for 'budget.trials', got the string 'ten'"),
            ("sampler: grid\nbudget: {trials: 1, max_epochs: 1}\nparameters: {}",
             "2:10: sampler 'grid' is not supported: random search beats grid search when only a few parameters matter "
                + "(Bergstra & Bengio 2012); use random or sobol"),
            ("parameters: {lerning_rate: {value: 1}}\nbudget: {trials: 1, max_epochs: 1}",
             "2:14: model 'mlp' has no parameter 'lerning_rate'; did you mean 'learning_rate'? It accepts: activation, "
                + "augment, batch_norm, batch_size, beta1, beta2, clip_norm, depth, dropout, init, label_smoothing, "
                + "learning_rate, momentum, nesterov, optimizer, schedule, warmup_epochs, weight_decay, width"),
            ("parameters: {depth: {distribution: randint, min: 1, max: 3}}\nbudget: {trials: 1, max_epochs: 1}",
             "2:36: unknown distribution 'randint'; did you mean 'int_uniform'? Expected constant, categorical, "
                + "int_uniform, uniform, q_uniform, log_uniform_values, q_log_uniform_values, normal or log_normal"),
            ("budget: {trials: 1, max_epoch: 1}\nparameters: {}",
             "2:21: unknown key 'max_epoch' in 'budget'; did you mean 'max_epochs'?"),
            ("sampler: sobel\nbudget: {trials: 1, max_epochs: 1}\nparameters: {}",
             "2:10: unknown sampler 'sobel'; did you mean 'sobol'? Expected random or sobol"),
            ("method: random\nbudget: {trials: 1, max_epochs: 1}\nparameters: {}",
             "2:1: unknown key 'method' at the top level; did you mean 'sampler'?"),
        ]
        for (yaml, message) in cases {
            let error = TestVocabulary.error("name: a\n\(yaml)\nmodel: mlp\n", file: "m.yaml")
            XCTAssertEqual(error?.description, "m.yaml:" + message)
        }
    }
}
