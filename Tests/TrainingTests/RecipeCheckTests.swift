// `hpsearch check` must pass a healthy pipeline and catch deliberately broken ones.
import Datasets
import NN
import TensorCore
import XCTest
@testable import Training

/// A layer that leaks information across the batch: adds a share of the batch mean to each row.
final class BatchMixing: StatelessLayer {
    func callAsFunction(_ x: Tensor) -> Tensor { x + x.mean(axis: 0, keepDims: true) * 0.5 }
}

/// The identity whose backward pass has the wrong sign.
final class WrongSignGradient: StatelessLayer {
    func callAsFunction(_ x: Tensor) -> Tensor { x.map({ $0 }, derivative: { _, _ in -1 }) }
}

final class RecipeCheckTests: XCTestCase {
    func check(_ data: PreparedData = Fixtures.blobData(), _ config: TrainingConfig = Fixtures.mlp()) -> RecipeCheck {
        var c = RecipeCheck(data: data, config: config, seed: 1)
        c.baselineSteps = 60
        return c
    }

    /// The default builder, with `insert` placed after the first hidden activation.
    func withLayer(_ insert: any Layer, into check: inout RecipeCheck) {
        let data = check.data
        check.makeModel = { config, rng in
            let model = try ModelBuilder.build(config, for: data, rng: &rng).model
            var layers = model.layers
            layers.insert(insert, at: 2)
            return Sequential(layers)
        }
    }

    func status(_ results: [CheckResult]) -> [String: CheckResult.Status] {
        Dictionary(uniqueKeysWithValues: results.map { ($0.name, $0.status) })
    }

    func testHealthyPipelinePassesEveryCheck() {
        let results = check().runAll()
        XCTAssertEqual(results.map(\.id), Array(1...9))
        for r in results { XCTAssertEqual(r.status, .pass, "\(r.name): \(r.summary) \(r.hint ?? "")") }
    }

    func testGradientFlowAtInitFlagsDeepSigmoidsAndDeadUnits() throws {
        var sigmoid = Fixtures.mlp(width: 32, depth: 10)
        sigmoid.activation = .sigmoid
        sigmoid.initializer = .glorotUniform
        let deep = try check(Fixtures.blobData(), sigmoid).gradientFlow()
        XCTAssertEqual(deep.status, .warn, deep.summary)
        XCTAssertTrue(deep.summary.contains("first/last") && deep.values["first_to_last_ratio"]! < 1e-3, deep.summary)
        XCTAssertNotNil(deep.values["max_saturation"])
        let healthy = try check().gradientFlow()
        XCTAssertEqual(healthy.status, .pass, healthy.summary)
        XCTAssertEqual(healthy.id, 9)
        XCTAssertEqual(healthy.values["max_dead_fraction"].map { $0 < 0.5 }, true)
        // Every first-layer unit dead: nothing flows to it.
        var dead = check()
        let make = dead.makeModel
        dead.makeModel = { c, rng in
            let net = try make(c, &rng)
            if let first = (net as? Sequential)?.layers.compactMap({ $0 as? Dense }).first { first.bias!.data = [Float](repeating: -50, count: first.bias!.count) }
            return net
        }
        let blocked = try dead.gradientFlow()
        XCTAssertEqual(blocked.status, .fail, blocked.summary)
        XCTAssertTrue(blocked.hint?.contains("dead") == true, blocked.hint ?? "")
    }

    /// Check 8 on a hand-made problem: 300 of 400 training rows are class 0, the validation split
    /// is 25 × class 0 and 75 × class 1, and the one feature is the label's sign (±1, plus a
    /// little noise). The majority class scores 0.25 with loss (25·−ln 0.75 + 75·−ln 0.25)/100;
    /// the linear model separates the classes; the human baseline is shown as given.
    func testTheBaselinesOfAHandMadeProblem() throws {
        var rng = RNG(seed: 9)
        func split(_ labels: [Int]) -> Dataset {
            Dataset(features: labels.map { Float($0 == 1 ? 1 : -1) + rng.uniform(-0.1, 0.1) }, labels: labels, featureCount: 1, classCount: 2)
        }
        let train = split((0..<400).map { $0 % 4 == 3 ? 1 : 0 }), validation = split((0..<100).map { $0 < 25 ? 0 : 1 })
        var config = Fixtures.mlp()
        config.learningRate = 0.05
        var c = RecipeCheck(data: PreparedData(train: train, validation: validation, test: validation), config: config, seed: 1)
        c.humanBaseline = ["val_accuracy": 0.97]
        let r = try c.baselines()
        XCTAssertEqual(r.id, 8)
        XCTAssertEqual(r.status, .pass, r.summary)
        XCTAssertEqual(r.values["majority_val_accuracy"], 0.25)
        XCTAssertEqual(r.values["majority_val_loss"]!, (25 * -log(0.75) + 75 * -log(0.25)) / 100, accuracy: 1e-9)
        XCTAssertEqual(r.values["linear_steps"], 200, "two epochs of 13 batches of 32 are 26 steps: at least 200")
        XCTAssertEqual(r.values["linear_val_accuracy"], 1, r.summary)
        XCTAssertLessThan(r.values["linear_val_loss"]!, 0.3, r.summary)
        XCTAssertEqual(r.values["human_val_accuracy"], 0.97)
        XCTAssertTrue(r.summary.contains("majority class (0) with the class priors: val_accuracy 0.2500"), r.summary)
        XCTAssertTrue(r.summary.contains("human: val_accuracy 0.97"), r.summary)
    }

    /// Inputs without signal (every feature 0): the linear model can only learn the class priors,
    /// which the dumb baseline already predicts, so check 8 warns.
    func testALinearModelOnInputsWithoutSignalMakesTheBaselinesWarn() throws {
        func blank(_ d: Dataset) -> Dataset { var z = d; z.features = [Float](repeating: 0, count: d.features.count); return z }
        let blobs = Fixtures.blobData()
        let r = try check(PreparedData(train: blank(blobs.train), validation: blank(blobs.validation), test: blank(blobs.test))).baselines()
        XCTAssertEqual(r.status, .warn, r.summary)
        XCTAssertEqual(r.values["linear_val_loss"]!, r.values["majority_val_loss"]!, accuracy: 0.01 * r.values["majority_val_loss"]!, r.summary)
        XCTAssertTrue(r.hint?.contains("a linear model does no better than the dumb baseline") == true, r.hint ?? "no hint")
        XCTAssertEqual(try check().baselines().status, .pass, "the same blobs with their features")
    }

    func testHealthyCNNPassesEveryCheck() {
        var c = check(Fixtures.imageData(), Fixtures.cnn())
        c.baselineSteps = 80
        for r in c.runAll() { XCTAssertEqual(r.status, .pass, "\(r.name): \(r.summary)") }
    }

    func testShuffledLabelsFailTheBaseline() throws {
        var data = Fixtures.blobData()
        var rng = RNG(seed: 5)
        data.train.labels = rng.permutation(data.train.count).map { data.train.labels[$0] }
        data.validation.labels = rng.permutation(data.validation.count).map { data.validation.labels[$0] }
        let r = try check(data).baseline()
        XCTAssertEqual(r.status, .fail, r.summary)
    }

    func testBatchMixingLayerFailsBatchIndependence() throws {
        var c = check()
        withLayer(BatchMixing(), into: &c)
        let r = try c.batchIndependence()
        XCTAssertEqual(r.status, .fail, r.summary)
        XCTAssertGreaterThan(r.values["leaked_gradient"]!, 0)
        XCTAssertEqual(try check().batchIndependence().status, .pass)
    }

    func testWrongSignGradientFailsTheGradientCheck() throws {
        var c = check()
        withLayer(WrongSignGradient(), into: &c)
        let r = try c.gradientCheck()
        XCTAssertEqual(r.status, .fail, r.summary)
        XCTAssertTrue(r.summary.contains("first mismatch"), r.summary)
    }

    func testBadFinalBiasFailsLossAtInit() throws {
        var c = check()
        let data = c.data
        c.makeModel = { config, rng in
            let model = try ModelBuilder.build(config, featureCount: data.featureCount, imageShape: nil, classCount: data.classCount, rng: &rng).model
            (model.layers.last as! Dense).bias!.assign([8, 0, 0])
            return model
        }
        let r = try c.lossAtInit()
        XCTAssertEqual(r.status, .fail, r.summary)
        XCTAssertGreaterThan(r.values["loss"]!, 4)
        XCTAssertEqual(r.values["expected"]!, log(3.0), accuracy: 1e-3)
    }

    func testFrozenModelFailsOverfitAndLossDecreases() throws {
        var c = check()
        // Learning rate zero: nothing can be learned.
        c.config.learningRate = 1e-12
        c.overfitSteps = 50
        XCTAssertEqual(try c.lossDecreases().status, .fail)
        var stuck = c
        stuck.makeModel = { _, rng in Sequential(Dense(10, 3, rng: &rng), Activation(.relu), WrongSignGradient()) }
        XCTAssertEqual(try stuck.overfitOneBatch().status, .fail)
    }

    func testDataLookCountsDuplicatesNaNsAndMissingClasses() {
        var data = Fixtures.blobData()
        // Row 1 duplicates row 0 with another label; the first test row is a training row.
        let d = data.train.featureCount
        for j in 0..<d { data.train.features[d + j] = data.train.features[j] }
        for j in 0..<d { data.test.features[j] = data.train.features[5 * d + j] }
        var r = check(data).dataLook()
        XCTAssertEqual(r.values["duplicates_train"], 1)
        XCTAssertEqual(r.values["duplicate_label_conflicts"], 1)
        XCTAssertEqual(r.values["duplicates_train_test"], 1)
        XCTAssertEqual(r.status, .warn)
        data.validation.features[3] = .nan
        r = check(data).dataLook()
        XCTAssertEqual(r.status, .fail)
        XCTAssertEqual(r.values["non_finite"], 1)
        var missing = Fixtures.blobData()
        missing.train.labels = missing.train.labels.map { $0 == 2 ? 1 : $0 }
        XCTAssertEqual(check(missing).dataLook().status, .fail)
    }
}
