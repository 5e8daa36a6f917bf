import Foundation
import XCTest
@testable import Ensembles
import Storage

final class ClassificationMetricsTests: XCTestCase {
    func testHandComputedMetrics() {
        // Two examples, two classes: [0.8, 0.2] with label 0 (right), [0.6, 0.4] with label 1 (wrong).
        let m = ClassificationMetrics(probabilities: [0.8, 0.2, 0.6, 0.4], labels: [0, 1], classes: 2)
        XCTAssertEqual(m.accuracy, 0.5)
        XCTAssertEqual(m.nll, -(log(0.8) + log(0.4)) / 2, accuracy: 1e-6)
        XCTAssertEqual(m.brier, ((0.04 + 0.04) + (0.36 + 0.36)) / 2, accuracy: 1e-6)
        // Confidence 0.8 lands in bin 12 (right), 0.6 in bin 9 (wrong): ECE = ½|1 − 0.8| + ½|0 − 0.6|.
        XCTAssertEqual(m.ece, 0.5 * 0.2 + 0.5 * 0.6, accuracy: 1e-6)
    }
}

final class EnsembleSelectionTests: XCTestCase {
    func testAverageOfIdenticalModelsIsTheModel() {
        let p: [Float] = [0.7, 0.2, 0.1, 0.1, 0.3, 0.6]
        let w = EnsembleSelection.average(candidates: 4, top: 3)
        XCTAssertEqual(w.weights, [1.0 / 3, 1.0 / 3, 1.0 / 3, 0])
        for (x, y) in zip(EnsembleSelection.combine([p, p, p, [0, 0, 0, 0, 0, 0]], w), p) { XCTAssertEqual(x, y, accuracy: 1e-6) }
        let labels = [0, 2]
        XCTAssertEqual(ClassificationMetrics(probabilities: EnsembleSelection.combine([p, p, p, p], w), labels: labels, classes: 3).nll,
                       ClassificationMetrics(probabilities: p, labels: labels, classes: 3).nll, accuracy: 1e-6)
    }

    func testAverageOfComplementaryModels() {
        // A is right on example 0, B on example 1: the average is right on both.
        let a: [Float] = [0.9, 0.1, 0.4, 0.6], b: [Float] = [0.4, 0.6, 0.9, 0.1]
        let combined = EnsembleSelection.combine([a, b], EnsembleSelection.average(candidates: 2, top: 2))
        for (x, y) in zip(combined, [Float(0.65), 0.35, 0.65, 0.35]) { XCTAssertEqual(x, y, accuracy: 1e-6) }
    }

    func testGreedyWithReplacementAndTheBestIterationKept() {
        // Labels: 0, 0, 1. Candidate NLLs: A = −(ln .9 + ln .9 + ln .2)/3 is the best single model;
        // C is confidently right where A is wrong; B is useless (uniform) and never helps.
        let a: [Float] = [0.9, 0.1, 0.9, 0.1, 0.8, 0.2]
        let b: [Float] = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
        let c: [Float] = [0.3, 0.7, 0.3, 0.7, 0.01, 0.99]
        let labels = [0, 0, 1]
        let (w, trace) = EnsembleSelection.greedy(validation: [a, b, c], labels: labels, classes: 2, initial: 1, steps: 6)
        // Hand-worked: start {A} (NLL 0.6067); adding C gives {A, C} with p = (.6, .6, .595) → NLL 0.5139,
        // better than {A, A} or {A, B}; then {A, A, C}: (.7, .7, .463) → 0.4944; then {A, A, A, C}:
        // (.75, .75, .3975) → 0.5034, worse, so A×2 + C at step 2 is the best and is kept even
        // though later steps go on adding.
        XCTAssertEqual(trace.losses[0], -(log(0.9) * 2 + log(0.2)) / 3, accuracy: 1e-6)
        XCTAssertEqual(trace.losses[1], -(log(0.6) * 2 + log(0.595)) / 3, accuracy: 1e-5)
        XCTAssertEqual(trace.losses[2], -(log(0.7) * 2 + log((0.2 + 0.2 + 0.99) / 3)) / 3, accuracy: 1e-5)
        XCTAssertEqual(trace.losses[3], -(log(0.75) * 2 + log((0.2 * 3 + 0.99) / 4)) / 3, accuracy: 1e-5)
        XCTAssertEqual(trace.losses.count, 7)
        XCTAssertEqual(trace.bestStep, 2, "{A, A, C} is the best; later mixes tie it at best (4A + 2C), and ties keep the earliest")
        XCTAssertEqual(w.weights[0], 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(w.weights[2], 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(w.members, [0, 2])
        XCTAssertEqual(w.weights[1], 0, "the uniform model never helps")
        XCTAssertEqual(w.weights.reduce(0, +), 1, accuracy: 1e-12)
        // With replacement: A's weight is a multiple of 1/size greater than C's.
        XCTAssertGreaterThan(w.weights[0], w.weights[2])
        XCTAssertLessThan(trace.losses[trace.bestStep], trace.losses.last!)
    }

    /// Like the small tabular sweeps of issue 15: a good trial, a second good one, and one pruned
    /// early at several times the best validation loss. The safe average keeps the two good ones
    /// and leaves the bad one out; a plain average would have raised the NLL.
    func testTheSafeAverageLeavesOutAMemberThatRaisesTheValidationNLL() {
        let labels = (0..<300).map { $0 % 3 }
        func model(_ right: Float, wrongEvery: Int, shift: Int) -> [Float] {
            labels.enumerated().flatMap { (i, y) -> [Float] in
                let guess = (i + shift) % wrongEvery == 0 ? (y + 1) % 3 : y
                return (0..<3).map { $0 == guess ? right : (1 - right) / 2 }
            }
        }
        let good = model(0.8, wrongEvery: 10, shift: 0), alsoGood = model(0.8, wrongEvery: 10, shift: 5)
        let bad = model(0.97, wrongEvery: 2, shift: 0)   // confident and wrong half the time
        let nll = { (p: [Float]) in ClassificationMetrics(probabilities: p, labels: labels, classes: 3).nll }
        XCTAssertGreaterThan(nll(bad), 4 * nll(good))
        let (w, excluded) = EnsembleSelection.safeAverage(validation: [good, alsoGood, bad], labels: labels, classes: 3, top: 3)
        XCTAssertEqual(w.members, [0, 1])
        XCTAssertEqual(w.weights, [0.5, 0.5, 0])
        XCTAssertEqual(excluded.map(\.candidate), [2])
        let kept = nll(EnsembleSelection.combine([good, alsoGood, bad], w))
        XCTAssertEqual(excluded[0].lossWithout, kept, accuracy: 1e-6)
        XCTAssertGreaterThan(excluded[0].lossWith, kept)
        XCTAssertLessThanOrEqual(kept, nll(good))
        XCTAssertGreaterThan(nll(EnsembleSelection.combine([good, alsoGood, bad], EnsembleSelection.average(candidates: 3, top: 3))), kept)
        // top 1 is the best trial alone; nothing to leave out.
        let one = EnsembleSelection.safeAverage(validation: [good, bad], labels: labels, classes: 3, top: 1)
        XCTAssertEqual(one.weights.weights, [1, 0])
        XCTAssertEqual(one.excluded, [])
    }
}
