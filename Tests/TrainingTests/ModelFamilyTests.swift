// The contract every registered model family keeps (ModelFamily.swift), checked for each entry of
// `ModelFamilies.all`, plus the tables' consistency with TrainingConfig and the vocabulary.
import NN
import Search
import TensorCore
import XCTest
@testable import Training

final class ModelFamilyTests: XCTestCase {
    /// 8×8 single-channel images (64 features, 4 classes): data every family can take.
    let shape = DataShape(featureCount: 64, imageShape: [8, 8, 1], classCount: 4, classPriors: [1, 2, 3, 4])

    /// Values at the ends of a parameter's range (an unbounded end: a small value above the minimum).
    func extremes(_ p: TrainingParameter) -> [ParameterValue] {
        switch p.kind {
        case .integer(let min): return [.int(min), .int(min + 2)]
        case .number(let min, let max, let open):
            return [.double(open ? min.nextUp : min), .double(max.isFinite ? max : min + 1)]
        case .flag: return [.bool(false), .bool(true)]
        case .choice(let choices): return choices.map(ParameterValue.string)
        }
    }

    func weights(_ config: TrainingConfig, seed: UInt64) throws -> [[Float]] {
        var rng = RNG(seed: seed, stream: 1)
        var config = config
        if config.model.rawValue == LayerSpec.modelName { config.layers = Self.layerList }
        return try config.model.family.build(config, for: shape, rng: &rng).model.parameters.map(\.data)
    }

    /// A layer list for the `layers` family (others ignore it).
    static let layerList = try! LayerSpec.parse(yaml: """
        - conv2d: {channels: 4, kernel: 3}
        - batch_norm
        - relu
        - residual:
            - conv2d: {channels: 8, kernel: 3, stride: 2}
            - relu
        - global_avg_pool
        - dense: {units: 6}
        """, file: "contract.yaml", parameters: []).evaluate(in: Configuration([:]))

    func checkBuild(_ config: TrainingConfig, _ what: String) throws {
        var config = config
        if config.model.rawValue == LayerSpec.modelName { config.layers = Self.layerList }
        var rng = RNG(seed: 5, stream: 1)
        let (model, cost) = try config.model.family.build(config, for: shape, rng: &rng)
        XCTAssertEqual(cost.parameters, model.parameterCount, what)
        XCTAssertGreaterThan(cost.flopsPerExample, 0, what)
        model.isTraining = false
        let out = Tensor.withoutGrad { model(Tensor.zeros([2, shape.featureCount])) }
        XCTAssertEqual(out.shape, [2, shape.classCount], what)
        // The layers' own counts (train --summary) agree with the family's cost.
        let summary = try model.summary(input: [shape.featureCount])
        XCTAssertEqual(summary.parameters, cost.parameters, "\(what): summary parameters")
        XCTAssertEqual(summary.flopsPerExample, cost.flopsPerExample, "\(what): summary FLOPs")
        XCTAssertEqual(summary.output, [shape.classCount], what)
        XCTAssertEqual(try weights(config, seed: 5), try weights(config, seed: 5), "\(what): same seed, same weights")
        XCTAssertNotEqual(try weights(config, seed: 5), try weights(config, seed: 6), "\(what): another seed, other weights")
    }

    func testEveryFamilyBuildsItsDefaultsAndItsParametersExtremes() throws {
        XCTAssertFalse(ModelFamilies.all.isEmpty)
        for family in ModelFamilies.all {
            let kind = try XCTUnwrap(ModelKind(rawValue: family.name))
            try checkBuild(TrainingConfig(model: kind), "\(family.name) defaults")
            for p in family.parameters {
                for value in extremes(p) where (try? p.validate(value)) != nil {
                    var c = TrainingConfig(model: kind)
                    try c.set(p.name, value)
                    try checkBuild(c, "\(family.name) \(p.name)=\(value)")
                }
            }
            for name in ["batch_norm", "dropout", "activation", "init"] {
                let p = try XCTUnwrap(TrainerParameters.all.first { $0.name == name })
                for value in extremes(p) {
                    var c = TrainingConfig(model: kind)
                    try c.set(name, value)
                    try checkBuild(c, "\(family.name) \(name)=\(value)")
                }
            }
        }
    }

    func testVocabularyIsExactlyEachFamilysParametersAndTheCommonOnes() {
        let common = Set(TrainerParameters.all.map(\.name))
        XCTAssertEqual(Set(TrainingConfig.vocabulary.keys), Set(ModelFamilies.names))
        XCTAssertEqual(ModelFamilies.names.count, Set(ModelFamilies.names).count, "family names are unique")
        for family in ModelFamilies.all {
            let own = family.parameters.map(\.name)
            XCTAssertEqual(own.count, Set(own).count, "\(family.name): no parameter twice")
            XCTAssertTrue(common.isDisjoint(with: own), "\(family.name) repeats a common parameter")
            XCTAssertEqual(TrainingConfig.vocabulary[family.name], common.union(own), family.name)
        }
        XCTAssertEqual(TrainingConfig.commonParameters, common)
        XCTAssertEqual(common, ["learning_rate", "optimizer", "momentum", "nesterov", "weight_decay", "batch_size", "clip_norm",
                                "schedule", "warmup_epochs", "label_smoothing", "loss", "dropout", "activation", "batch_norm", "init",
                                "beta1", "beta2", "augment"])
        XCTAssertEqual(TrainingConfig.vocabulary["mlp"]?.subtracting(common), ["width", "depth"])
        XCTAssertEqual(TrainingConfig.vocabulary["cnn"]?.subtracting(common), ["conv_blocks", "channels", "kernel", "dense_width"])
    }

    func testEveryTableDefaultPassesItsOwnCheckAndIsTheConfigurationsDefault() throws {
        for family in ModelFamilies.all {
            let kind = try XCTUnwrap(ModelKind(rawValue: family.name))
            for p in family.parameters + TrainerParameters.all {
                XCTAssertEqual(try p.validate(p.defaultValue), p.defaultValue, "\(family.name).\(p.name)")
                var c = TrainingConfig(model: kind)
                try c.set(p.name, p.defaultValue)
                XCTAssertEqual(c, TrainingConfig(model: kind), "\(family.name).\(p.name): the table's default is the configuration's")
                XCTAssertEqual(c.fingerprint, TrainingConfig(model: kind).fingerprint, "\(family.name).\(p.name)")
            }
        }
    }

    func testValueMessagesComeFromTheTables() {
        func message(_ model: String, _ name: String, _ value: ParameterValue) -> String? {
            do { _ = try TrainingConfig(model: model, configuration: Configuration([name: value])); return nil } catch { return "\(error)" }
        }
        XCTAssertEqual(message("mlp", "learning_rate", .double(0)), "parameter 'learning_rate': 0.0 is out of range: expected (0.0, inf]")
        XCTAssertEqual(message("mlp", "dropout", .double(0.99)), "parameter 'dropout': 0.99 is out of range: expected [0.0, 0.95]")
        XCTAssertEqual(message("mlp", "width", .int(0)), "parameter 'width': expected an integer ≥ 1, got 0")
        XCTAssertEqual(message("mlp", "width", .double(2.5)), "parameter 'width': expected an integer, got 2.5")
        XCTAssertEqual(message("cnn", "kernel", .int(4)), "parameter 'kernel': expected an odd kernel size (same padding), got 4")
        XCTAssertEqual(message("mlp", "activation", .string("identity")),
                       "parameter 'activation': expected one of relu, leaky_relu, elu, gelu, tanh, sigmoid, got identity")
        XCTAssertEqual(message("mlp", "init", .string("zeros")),
                       "parameter 'init': expected one of he_normal, he_uniform, lecun_normal, lecun_uniform, glorot_normal, glorot_uniform, got zeros")
        XCTAssertNil(message("mlp", "init", .string("kaiming_normal")), "aliases are accepted as before")
        XCTAssertEqual(message("mlp", "nesterov", .int(2)), "parameter 'nesterov': expected true or false, got 2")
        XCTAssertEqual(message("mlp", "kernel", .int(4)), "parameter 'kernel': expected an odd kernel size (same padding), got 4",
                       "another family's parameter is checked as that family checks it before it is refused")
        XCTAssertEqual(message("mlp", "kernel", .int(3)),
                       "parameter 'kernel': model 'mlp' does not use it; it accepts: activation, augment, batch_norm, batch_size, beta1, beta2, clip_norm, depth, dropout, init, label_smoothing, learning_rate, loss, momentum, nesterov, optimizer, schedule, warmup_epochs, weight_decay, width")
        XCTAssertEqual(message("cnn", "colour", .int(3)),
                       "parameter 'colour': model 'cnn' has no such parameter; it accepts: activation, augment, batch_norm, batch_size, beta1, beta2, channels, clip_norm, conv_blocks, dense_width, dropout, init, kernel, label_smoothing, learning_rate, loss, momentum, nesterov, optimizer, schedule, warmup_epochs, weight_decay")
        XCTAssertEqual(message("transformer", "width", .int(3)), "parameter 'model': unknown model 'transformer'; expected one of mlp, cnn, layers")
    }

    /// The lines the flat TrainingConfig of format 1 produced (Mirror over its fields), for a
    /// configuration that sets family values: states saved before the registry resume only if
    /// these stay the same.
    func testConfigurationFingerprintIsFormatOnes() throws {
        var c = TrainingConfig(model: .cnn)
        try c.set("kernel", .int(5))
        try c.set("channels", .int(16))
        try c.set("optimizer", .string("sgd"))
        try c.set("augment", .string("flip_shift"))
        try c.set("init", .string("xavier_uniform"))
        try c.set("activation", .string("leaky_relu"))
        try c.set("learning_rate", .int(1))
        XCTAssertEqual(c.fingerprint, [
            "model = cnn", "learningRate = 1.0", "optimizer = sgd", "momentum = 0.9", "nesterov = false", "weightDecay = 0.0",
            "beta1 = 0.9", "beta2 = 0.999", "batchSize = 128", "clipNorm = 0.0", "schedule = constant", "warmupEpochs = 0.0",
            "labelSmoothing = 0.0", "dropout = 0.0", "augment = flipShift", "activation = leakyRelu", "batchNorm = false",
            "initializer = glorotUniform", "initializerName = xavier_uniform",
            "depth = 2", "width = 256", "convBlocks = 2", "channels = 16", "kernel = 5", "denseWidth = 128",
        ])
        var m = Fixtures.mlp(width: 64, depth: 3)
        m.channels = 2   // another family's field: still listed, as the flat struct listed it
        XCTAssertEqual(Array(m.fingerprint.suffix(6)), ["depth = 3", "width = 64", "convBlocks = 2", "channels = 2", "kernel = 3", "denseWidth = 128"])
    }

    func testTheRegistryDocumentsEveryParameter() {
        let doc = ModelFamilies.documentation
        for family in ModelFamilies.all {
            XCTAssertTrue(doc.contains("model: \(family.name)"))
            for p in family.parameters { XCTAssertTrue(doc.contains("  \(p.name) ("), p.name) }
        }
        for p in TrainerParameters.all { XCTAssertTrue(doc.contains("  \(p.name) ("), p.name) }
        XCTAssertTrue(doc.contains("kernel (integer ≥ 1, default 3): odd convolution kernel size (same padding)"), doc)
        XCTAssertTrue(doc.contains("optimizer (one of adam, adamw, sgd, default adam):"), doc)
    }

    /// PatienceStopper's record taken after some epochs and restored into a fresh stopper decides
    /// the remaining epochs exactly as the uninterrupted one (what a resumed trainer relies on).
    func testPatienceRecordsRestoreExactly() {
        let values = [0.9, 0.8, 0.805, 0.7995, 0.81, 0.79, 0.8, 0.8, 0.8, 0.8]
        for goal in [Goal.minimize, .maximize] {
            var whole = PatienceStopper(patience: 2, minDelta: 0.001, goal: goal, maxEpochs: 10)
            let expected = values.enumerated().map { whole.report(trial: 3, epoch: $0.offset + 1, value: $0.element) }
            for cut in 1..<values.count {
                var first = PatienceStopper(patience: 2, minDelta: 0.001, goal: goal, maxEpochs: 10)
                for e in 1...cut { _ = first.report(trial: 3, epoch: e, value: values[e - 1]) }
                let record = first.record(trial: 3)!
                XCTAssertEqual(record.lastEpoch, cut)
                var second = PatienceStopper(patience: 2, minDelta: 0.001, goal: goal, maxEpochs: 10)
                second.restore(record, trial: 0)
                XCTAssertEqual(second.record(trial: 0), record)
                let rest = (cut + 1...values.count).map { second.report(trial: 0, epoch: $0, value: values[$0 - 1]) }
                XCTAssertEqual(rest, Array(expected[cut...]), "\(goal) cut after \(cut)")
            }
        }
    }
}
