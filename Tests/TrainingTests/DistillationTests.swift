// The teacher's soft targets, their wire form, and what distillation is for: a student trained
// on a teacher's soft targets matches the teacher better than a hard-label student of the same
// architecture, seed and budget.
import Datasets
import Foundation
import Search
import TensorCore
import XCTest
@testable import Training

final class DistillationTests: XCTestCase {
    func testSoftTargetsAtTemperatureOneAreTheWeightedAverageOfTheMembers() throws {
        let a: [Float] = [0.7, 0.2, 0.1, 0.1, 0.1, 0.8], b: [Float] = [0.1, 0.6, 0.3, 0.2, 0.2, 0.6]
        let teacher = try Teacher(members: [a, b], weights: [3, 1], rows: 2, classes: 3)
        XCTAssertEqual(teacher.weights, [0.75, 0.25], "weights are normalised")
        let targets = teacher.softTargets(temperature: 1)
        for i in 0..<6 { XCTAssertEqual(targets[i], 0.75 * a[i] + 0.25 * b[i], accuracy: 1e-6) }
    }

    func testEachMemberIsSoftenedBeforeAveraging() throws {
        // One member, T = 2: softmax(log p / 2) = √p / Σ√p.
        let p: [Float] = [0.81, 0.16, 0.03]
        let soft = try Teacher(members: [p], weights: [1], rows: 1, classes: 3).softTargets(temperature: 2)
        let roots = p.map { Double($0).squareRoot() }, total = roots.reduce(0, +)
        for j in 0..<3 { XCTAssertEqual(Double(soft[j]), roots[j] / total, accuracy: 1e-6) }
        // Two members at T = 2: the mean of the softened members, not the softened mean.
        let q: [Float] = [0.01, 0.01, 0.98]
        let both = try Teacher(members: [p, q], weights: [1, 1], rows: 1, classes: 3).softTargets(temperature: 2)
        let qs = q.map { Double($0).squareRoot() }, qt = qs.reduce(0, +)
        for j in 0..<3 { XCTAssertEqual(Double(both[j]), 0.5 * roots[j] / total + 0.5 * qs[j] / qt, accuracy: 1e-6) }
        // A high temperature flattens towards uniform.
        let flat = try Teacher(members: [p], weights: [1], rows: 1, classes: 3).softTargets(temperature: 1000)
        for j in 0..<3 { XCTAssertEqual(flat[j], 1.0 / 3, accuracy: 0.01) }
    }

    func testWireFormRoundTripsAndBadInputIsRefused() throws {
        let teacher = try Teacher(members: [[0.5, 0.5, 0.25, 0.75], [1, 0, 0, 1]], weights: [0.4, 0.6], rows: 2, classes: 2)
        XCTAssertEqual(try Teacher.decode(teacher.encoded()), teacher)
        XCTAssertThrowsError(try Teacher.decode(Array(teacher.encoded().dropLast(4)))) { XCTAssertTrue("\($0)".contains("do not fit"), "\($0)") }
        XCTAssertThrowsError(try Teacher.decode([1, 2, 3])) { XCTAssertTrue("\($0)".contains("header"), "\($0)") }
        XCTAssertThrowsError(try Teacher(members: [[0.5, 0.5]], weights: [1], rows: 2, classes: 2)) { XCTAssertTrue("\($0)".contains("expected 2 rows"), "\($0)") }
        XCTAssertThrowsError(try Teacher(members: [[1, 0]], weights: [0], rows: 1, classes: 2)) { XCTAssertTrue("\($0)".contains("not all zero"), "\($0)") }
    }

    /// Overlapping Gaussian classes whose exact posterior is known: the teacher is the Bayes
    /// classifier; labels are drawn from it (noisy), and the training set is small.
    struct Problem {
        static let classes = 3, features = 6
        let mu: [[Float]]

        init() {
            var r = RNG(seed: 41)
            mu = (0..<Self.classes).map { _ in r.normalArray(Self.features, std: 0.9) }
        }

        func posterior(_ x: ArraySlice<Float>) -> [Float] {
            let logits = mu.map { m in -0.5 * zip(m, x).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
            let top = logits.max()!, e = logits.map { Foundation.exp($0 - top) }, s = e.reduce(0, +)
            return e.map { $0 / s }
        }

        func sample(_ n: Int, seed: UInt64) -> (Dataset, [Float]) {
            var r = RNG(seed: seed)
            var x: [Float] = [], y: [Int] = [], p: [Float] = []
            for i in 0..<n {
                let row = zip(mu[i % Self.classes], r.normalArray(Self.features)).map { $0 + $1 }
                let post = posterior(row[...])
                var u = r.uniform(), label = Self.classes - 1
                for (k, q) in post.enumerated() { if u < q { label = k; break }; u -= q }
                x += row
                y.append(label)
                p += post
            }
            return (Dataset(features: x, labels: y, featureCount: Self.features, classCount: Self.classes), p)
        }
    }

    /// Mean KL(teacher ‖ student) over `dataset`.
    func divergence(_ trainer: Trainer, _ dataset: Dataset, teacher: [Float]) -> Double {
        let q = trainer.evaluate(dataset).probabilities
        var total = 0.0
        for i in 0..<q.count where teacher[i] > 0 { total += Double(teacher[i]) * Foundation.log(Double(teacher[i]) / max(Double(q[i]), 1e-12)) }
        return total / Double(dataset.count)
    }

    func testAStudentOnSoftTargetsMatchesTheTeacherBetterThanAHardLabelStudent() throws {
        let problem = Problem()
        let (train, trainPosterior) = problem.sample(90, seed: 1)
        let (validation, _) = problem.sample(300, seed: 2), (test, testPosterior) = problem.sample(2000, seed: 3)
        let data = PreparedData(train: train, validation: validation, test: test)
        let teacher = try Teacher(members: [trainPosterior], weights: [1], rows: train.count, classes: Problem.classes)
        var config = Fixtures.mlp(width: 64, depth: 2, lr: 3e-3)
        config.batchSize = 16
        func student(alpha: Double?) throws -> Trainer {
            let t = try Trainer(config: config, data: data, seed: 9, maxEpochs: 60)
            if let alpha { t.distillation = Distillation(teacher: teacher, temperature: 2, alpha: alpha) }
            _ = t.train()
            return t
        }
        let hard = try student(alpha: nil), soft = try student(alpha: 0.9)
        let hardKL = divergence(hard, test, teacher: testPosterior), softKL = divergence(soft, test, teacher: testPosterior)
        XCTAssertLessThan(softKL, 0.5 * hardKL, "KL to the teacher on 2,000 unseen examples: soft \(softKL), hard \(hardKL)")
    }

    func testAlphaZeroIsHardLabelTrainingExactly() throws {
        let data = Fixtures.blobData(train: 120)
        let teacher = try Teacher(members: [[Float](repeating: 1.0 / 3, count: 120 * 3)], weights: [1], rows: 120, classes: 3)
        let plain = try Trainer(config: Fixtures.mlp(), data: data, seed: 3, maxEpochs: 3)
        let control = try Trainer(config: Fixtures.mlp(), data: data, seed: 3, maxEpochs: 3)
        control.distillation = Distillation(teacher: teacher, temperature: 4, alpha: 0)
        let plainLosses = plain.train().history.map(\.validationLoss)
        XCTAssertEqual(plainLosses, control.train().history.map(\.validationLoss))
        // Uniform soft targets with α = 1 pull every prediction towards uniform: a different run.
        let uniform = try Trainer(config: Fixtures.mlp(), data: data, seed: 3, maxEpochs: 3)
        uniform.distillation = Distillation(teacher: teacher, temperature: 1, alpha: 1)
        XCTAssertNotEqual(plainLosses, uniform.train().history.map(\.validationLoss))
    }
}
