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
        XCTAssertEqual(results.map(\.id), Array(1...7))
        for r in results { XCTAssertEqual(r.status, .pass, "\(r.name): \(r.summary) \(r.hint ?? "")") }
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
