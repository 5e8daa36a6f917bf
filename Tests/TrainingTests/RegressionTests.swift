// Regression end to end below the coordinator: target columns read and standardised on the
// training split only, the losses, the epoch metrics in the targets' units, the recipe's checks
// for regression, distillation from a regression teacher, and the typed refusals.
import Datasets
import Foundation
import NN
import Search
import TensorCore
import TestSupport
import XCTest
@testable import Training

final class RegressionTests: XCTestCase {
    /// y1 = 3a − 2b + 50 (+ noise), y2 = 10·colour + a² (one text column), 240 rows; `missing`:
    /// rows whose b cell is left empty.
    static func csvText(rows: Int = 240, missing: Set<Int> = []) -> String {
        var rng = RNG(seed: 7)
        var text = "a,b,colour,y1,y2\n"
        for i in 0..<rows {
            let a = Double(rng.uniform()) * 4 - 2, b = Double(rng.uniform()) * 4 - 2
            let colour = ["red", "green", "blue"][i % 3]
            let y1 = 3 * a - 2 * b + 50 + 0.05 * Double(rng.normal())
            let y2 = 10 * Double(i % 3) + a * a
            text += "\(a),\(missing.contains(i) ? "" : String(b)),\(colour),\(y1),\(y2)\n"
        }
        return text
    }

    func load(_ text: String, labels: [LabelColumn], dir: TemporaryDirectory, seed: UInt64 = 3) throws -> PreparedData {
        let path = dir.file("r.csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try PreparedData.load(DataSpec(source: .csv(path: path, labels: labels, testFraction: 0.2, hasHeader: true),
                                              validation: .fraction(0.2), task: .regression), seed: seed)
    }

    func testTargetColumnsAreStandardisedOnTheTrainingSplitAndKeptWithTheTransform() throws {
        let dir = try TemporaryDirectory(prefix: "regression")
        let d = try load(Self.csvText(missing: [5, 17]), labels: [.name("y1"), .name("y2")], dir: dir)
        XCTAssertTrue(d.isRegression)
        XCTAssertEqual(d.outputCount, 2)
        XCTAssertEqual(d.targetNames, ["y1", "y2"])
        XCTAssertEqual(d.classNames, [])
        XCTAssertEqual(d.train.count + d.validation.count + d.test.count, 240)
        let t = try XCTUnwrap(d.train.targets)
        for j in 0..<2 {
            let col = (0..<d.train.count).map { Double(t.values[$0 * 2 + j]) }
            let mean = col.reduce(0, +) / Double(col.count)
            XCTAssertEqual(mean, 0, accuracy: 1e-5, "standardised on train")
            XCTAssertEqual(col.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(col.count), 1, accuracy: 1e-4)
        }
        XCTAssertEqual(t.mean[0], 50, accuracy: 0.5, "y1's own mean is kept to map predictions back")
        // The stored transform carries the same map, and its JSON round-trips.
        let z = try XCTUnwrap(d.transform?.targets)
        XCTAssertEqual(z.mean, t.mean)
        XCTAssertEqual(z.std, t.std)
        XCTAssertEqual(try FittedTransform(json: try d.transform!.json()), d.transform)
        // Features: a, b (+ indicator for the missing cells), colour one-hot; targets are not features.
        XCTAssertEqual(d.featureCount, 2 + 1 + 3)
        XCTAssertEqual(d.summary?.targetNames, ["y1", "y2"])
        // The validation targets map back to the file's values.
        let raw = d.validation.targets!.value(row: 0, target: 0)
        XCTAssertTrue(Self.csvText(missing: [5, 17]).contains(String(raw).prefix(6)), "\(raw)")
    }

    func testAMissingOrTextTargetIsRefusedAtItsLineAndColumn() throws {
        let dir = try TemporaryDirectory(prefix: "regression")
        var text = Self.csvText(rows: 20)
        var lines = text.split(separator: "\n").map(String.init)
        lines[4] = lines[4].split(separator: ",", omittingEmptySubsequences: false).dropLast().joined(separator: ",") + ","
        text = lines.joined(separator: "\n") + "\n"
        XCTAssertThrowsError(try load(text, labels: [.name("y1"), .name("y2")], dir: dir)) { error in
            XCTAssertEqual(error as? DatasetError, .missingTarget(path: dir.file("r.csv").path, line: 5, column: 5, name: "y2"))
            XCTAssertTrue("\(error)".contains("regression targets are not imputed"), "\(error)")
        }
        lines[4] = lines[4] + "high"
        XCTAssertThrowsError(try load(lines.joined(separator: "\n") + "\n", labels: [.name("y2")], dir: dir)) { error in
            XCTAssertEqual(error as? DatasetError, .nonNumeric(path: dir.file("r.csv").path, line: 5, column: 5, value: "high"))
        }
    }

    func testAContinuousLabelWithoutTaskSuggestsRegression() throws {
        let dir = try TemporaryDirectory(prefix: "regression")
        let path = dir.file("r.csv").path
        try Self.csvText().write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try PreparedData.load(DataSpec(source: .csv(path: path, labels: [.name("y1")], testFraction: 0.2, hasHeader: true)),
                                                   seed: 1)) { error in
            XCTAssertTrue("\(error)".contains("Add `task: regression`"), "\(error)")
        }
    }

    func testScoresMatchAHandComputation() {
        let t = Dataset.Targets(values: [1, 2, 3, 5], width: 1, names: ["y"])
        let s = RegressionScores(predictions: [1.5, 2, 2, 6], targets: t)
        // errors 0.5, 0, −1, 1: SSE 2.25; SST about the mean 2.75: 3.0625 + 0.5625 + 0.0625 + 5.0625 = 8.75.
        XCTAssertEqual(s.rmse, (2.25 / 4).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(s.mae, 2.5 / 4, accuracy: 1e-12)
        XCTAssertEqual(s.r2, 1 - 2.25 / 8.75, accuracy: 1e-12)
        XCTAssertEqual(s.standardisedMSE, 2.25 / 4, accuracy: 1e-12, "std 1: the same as the MSE")
        // Two targets: R² is the mean of the per-target scores; a constant target predicted exactly scores 1.
        let two = Dataset.Targets(values: [1, 7, 3, 7], width: 2, names: ["a", "b"])
        XCTAssertEqual(RegressionScores(predictions: [1, 7, 3, 7], targets: two).r2, 1)
        XCTAssertEqual(RegressionScores(predictions: [2, 7, 2, 7], targets: two).r2, 0.5, accuracy: 1e-12)
    }

    /// One hidden layer, Adam at 3e-3, batches of 32.
    static func smallMLP(width: Int = 32, depth: Int = 1) -> TrainingConfig {
        var c = TrainingConfig(model: .mlp)
        c.width = width
        c.depth = depth
        c.learningRate = 3e-3
        c.batchSize = 32
        return c
    }

    func regressionData() throws -> PreparedData {
        let dir = try TemporaryDirectory(prefix: "regression")
        return try load(Self.csvText(), labels: [.name("y1")], dir: dir)
    }

    /// Check 8 of a regression: the dumb baseline predicts the training mean (its val_rmse in the
    /// target's units), and linear regression beats it on a target linear in the features.
    func testTheBaselinesOfARegressionAreTheTrainingMeanAndLinearRegression() throws {
        let data = try regressionData()
        var check = RecipeCheck(data: data, config: Self.smallMLP(), seed: 1)
        check.linearSteps = 400
        let r = try check.baselines()
        let mse = check.meanPredictionMSE(data.validation)
        XCTAssertEqual(r.values["mean_val_loss"]!, mse, accuracy: 1e-12)
        XCTAssertEqual(r.values["mean_val_rmse"]!, mse.squareRoot() * data.train.targets!.std[0], accuracy: 1e-9)
        XCTAssertLessThan(r.values["linear_val_loss"]!, 0.2 * mse, r.summary)
        XCTAssertNotNil(r.values["linear_val_rmse"], r.summary)
        XCTAssertEqual(r.status, .pass, r.summary)
    }

    func testEachLossTrainsAndTheEpochMetricsAreInTheTargetsUnits() throws {
        let data = try regressionData()
        let std = data.train.targets!.std[0]
        for loss in [LossKind.auto, .mse, .huber, .mae] {
            var c = Self.smallMLP()
            c.loss = loss
            let t = try Trainer(config: c, data: data, seed: 5, maxEpochs: 40, metric: MetricSpec(name: "val_rmse", goal: .minimize))
            let r = t.train()
            let best = try XCTUnwrap(r.best, "\(loss)")
            XCTAssertTrue(best.validationAccuracy.isNaN && best.trainAccuracy.isNaN, "no accuracy for regression")
            let rmse = try XCTUnwrap(best.metrics["val_rmse"]), r2 = try XCTUnwrap(best.metrics["val_r2"])
            XCTAssertLessThan(rmse, 0.25 * std, "\(loss): learns y1 = 3a − 2b + 50 (std \(std))")
            XCTAssertGreaterThan(r2, 0.9, "\(loss)")
            XCTAssertNotNil(best.metrics["val_mae"])
            // val_loss is the standardised MSE whatever the loss: (rmse / std)² for one target.
            XCTAssertEqual(best.validationLoss, (rmse / std) * (rmse / std), accuracy: 1e-3 * best.validationLoss + 1e-6, "\(loss)")
            // The evaluation's predictions are in the targets' units.
            let e = t.evaluate(data.test)
            XCTAssertEqual(e.predictions.count, data.test.count)
            XCTAssertEqual(Double(e.predictions.reduce(0, +)) / Double(e.predictions.count), 50, accuracy: 2)
        }
    }

    func testTheOutputStartsAtTheTargetMeanAndTheRecipeChecksPass() throws {
        let data = try regressionData()
        let c = Self.smallMLP()
        var rng = RNG(seed: 1)
        let (model, _) = try ModelBuilder.build(c, for: data, rng: &rng)
        let first = Trainer.evaluate(model, data.validation)
        let mean = Double(first.predictions.reduce(0, +)) / Double(first.predictions.count)
        XCTAssertEqual(mean, data.train.targets!.mean[0], accuracy: 0.25 * data.train.targets!.std[0], "init well: bias at the mean")
        // A head whose bias is far from the mean fails the check (the recipe's "mean 50, bias 0").
        var shifted = RecipeCheck(data: data, config: c, seed: 3)
        shifted.makeModel = { config, rng in
            let m = try ModelBuilder.build(config, for: data, rng: &rng).model
            (m.layers.last as! Dense).bias!.assign([-5])
            return m
        }
        XCTAssertEqual(try shifted.lossAtInit().status, .fail)
        let results = RecipeCheck(data: data, config: c, seed: 3).runAll()
        for r in results { XCTAssertNotEqual(r.status, .fail, "\(r.name): \(r.summary)") }
        XCTAssertTrue(results[0].summary.hasPrefix("task: regression"), results[0].summary)
        XCTAssertTrue(results[1].summary.contains("predicting the mean gives"), results[1].summary)
        XCTAssertNotNil(results[2].values["mean_loss"])
    }

    func testTheRecipeChecksCatchARegressionThatIgnoresItsInputs() throws {
        let data = try regressionData()
        var c = TrainingConfig(model: .mlp)
        c.width = 16
        c.depth = 1
        var check = RecipeCheck(data: data, config: c, seed: 3)
        // A model that cannot see its inputs: every example gets the same output.
        check.makeModel = { config, rng in
            var r = rng
            let real = try ModelBuilder.build(config, for: data, rng: &r).model
            rng = r
            return Sequential([ZeroInput(), real])
        }
        XCTAssertEqual(try check.baseline().status, .fail)
    }

    func testARegressionStudentLearnsFromItsTeachersMeanPrediction() throws {
        let data = try regressionData()
        let c = Self.smallMLP(width: 16)
        let teacherModel = try Trainer(config: c, data: data, seed: 9, maxEpochs: 30)
        _ = teacherModel.train()
        let predictions = teacherModel.evaluate(data.train).predictions
        let teacher = try Teacher(members: [predictions], weights: [1], rows: data.train.count, classes: 1, regression: true)
        XCTAssertEqual(try Teacher.decode(teacher.encoded()), teacher, "HPTEACHR round trip")
        let student = try Trainer(config: c, data: data, seed: 4, maxEpochs: 30)
        student.distillation = Distillation(teacher: teacher, temperature: 1, alpha: 0.5)
        let r = student.train()
        XCTAssertEqual(r.state, .completed)
        XCTAssertLessThan(try XCTUnwrap(r.best?.metrics["val_rmse"]), 0.3 * data.train.targets!.std[0])
    }

    func testTwoTargetsTrainOneNetworkWithTwoOutputs() throws {
        let dir = try TemporaryDirectory(prefix: "regression")
        let data = try load(Self.csvText(), labels: [.name("y1"), .name("y2")], dir: dir)
        let c = Self.smallMLP(depth: 2)
        let t = try Trainer(config: c, data: data, seed: 2, maxEpochs: 60)
        XCTAssertEqual(t.model(Tensor(shape: [3, data.featureCount], data: Array(data.train.features.prefix(3 * data.featureCount)))).shape, [3, 2])
        let best = try XCTUnwrap(t.train().best)
        let e = t.evaluate(data.validation)
        XCTAssertEqual(e.predictions.count, 2 * data.validation.count)
        // R² is the mean of the two targets' own R², each learnable (y2 = 10·colour + a²).
        let targets = data.validation.targets!
        let r2 = (0..<2).map { j -> Double in
            let one = Dataset.Targets(values: (0..<data.validation.count).map { targets.values[$0 * 2 + j] }, width: 1, names: [targets.names[j]],
                                      mean: [targets.mean[j]], std: [targets.std[j]])
            return RegressionScores(predictions: (0..<data.validation.count).map { e.predictions[$0 * 2 + j] }, targets: one).r2
        }
        XCTAssertEqual(try XCTUnwrap(best.metrics["val_r2"]), (r2[0] + r2[1]) / 2, accuracy: 1e-9)
        XCTAssertGreaterThan(r2.min()!, 0.8, "both targets learnt: \(r2)")
    }

    func testTaskMismatchesAreRefused() throws {
        let data = try regressionData()
        var c = TrainingConfig(model: .mlp)
        c.loss = .crossEntropy
        XCTAssertThrowsError(try Trainer(config: c, data: data, seed: 1, maxEpochs: 1)) { error in
            XCTAssertTrue("\(error)".contains("task: regression uses mse, huber or mae"), "\(error)")
        }
        XCTAssertThrowsError(try Trainer(config: TrainingConfig(model: .mlp), data: data, seed: 1, maxEpochs: 1,
                                         metric: MetricSpec(name: "val_accuracy", goal: .maximize))) { error in
            XCTAssertTrue("\(error)".contains("use one of val_loss, val_rmse, val_mae, val_r2"), "\(error)")
        }
        XCTAssertEqual(LossKind.mse.mismatch(regression: false)?.contains("classification trains with cross_entropy"), true)
        XCTAssertNil(LossKind.auto.mismatch(regression: false))
        XCTAssertEqual(LossKind.auto.resolved(regression: true), .mse)
    }

    func testNPYTargetsOfTwoColumnsAndACSVTestFile() throws {
        let dir = try TemporaryDirectory(prefix: "regression")
        // CSV with its own test file: the test split is exactly that file.
        let lines = Self.csvText(rows: 100).split(separator: "\n").map(String.init)
        try (lines[0...80].joined(separator: "\n") + "\n").write(to: dir.file("train.csv"), atomically: true, encoding: .utf8)
        try ([lines[0]] + lines[81...]).joined(separator: "\n").appending("\n").write(to: dir.file("test.csv"), atomically: true, encoding: .utf8)
        let d = try PreparedData.load(DataSpec(source: .csv(path: dir.file("train.csv").path, labels: [.name("y1")], testFraction: 0.2,
                                                            hasHeader: true, testPath: dir.file("test.csv").path),
                                               validation: .fraction(0.25), task: .regression), seed: 1)
        XCTAssertEqual(d.test.count, 20)
        XCTAssertEqual(d.train.count + d.validation.count, 80)
        XCTAssertEqual(d.test.targets!.value(row: 0, target: 0), Double(lines[81].split(separator: ",")[3])!, accuracy: 1e-4)
        // A test file with other columns is refused.
        try "a,b,y1\n1,2,3\n".write(to: dir.file("other.csv"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try PreparedData.load(DataSpec(source: .csv(path: dir.file("train.csv").path, labels: [.name("y1")], testFraction: 0.2,
                                                                         hasHeader: true, testPath: dir.file("other.csv").path),
                                                            task: .regression), seed: 1)) { error in
            XCTAssertTrue("\(error)".contains("the files must have the same columns"), "\(error)")
        }
        // NPY: y [N, 2] float64 targets.
        let n = 50
        var x = [Float](), y = [Double]()
        for i in 0..<n { x += [Float(i), Float(i % 5)]; y += [Double(i) * 0.5, Double(i % 5) - 2] }
        func write(_ name: String, _ values: [Double], _ shape: [Int], _ dtype: String) throws {
            try Data(NPY.encode(try NPY.array(values, shape: shape, dtype: dtype))).write(to: dir.file(name))
        }
        try write("x.npy", x.map(Double.init), [n, 2], "<f4")
        try write("y.npy", y, [n, 2], "<f8")
        let a = try PreparedData.load(DataSpec(source: .npy(x: dir.file("x.npy").path, y: dir.file("y.npy").path), task: .regression), seed: 2)
        XCTAssertEqual(a.outputCount, 2)
        XCTAssertEqual(a.targetNames, ["y[0]", "y[1]"])
        XCTAssertEqual(a.train.count + a.validation.count + a.test.count, n)
        // The wrong shape for targets: [N, 2, 1].
        try write("bad.npy", y, [n, 2, 1], "<f8")
        XCTAssertThrowsError(try PreparedData.load(DataSpec(source: .npy(x: dir.file("x.npy").path, y: dir.file("bad.npy").path), task: .regression),
                                                   seed: 2)) { error in
            XCTAssertTrue("\(error)".contains("expected [N] or [N, T]"), "\(error)")
        }
    }
}

/// Replaces every input with zeros (a model that cannot see its inputs).
final class ZeroInput: Layer {
    var isTraining = false
    var namedParameters: [(String, Tensor)] { [] }
    func callAsFunction(_ x: Tensor) -> Tensor { x * 0 }
}
