// Learning-rate schedules: factors at chosen steps.
import TestSupport
import XCTest
import Foundation
import NN

final class LRScheduleTests: XCTestCase {
    func testConstant() {
        for s in [0, 1, 100, 1_000_000] { XCTAssertEqual(LRSchedule.constant.factor(at: s), 1) }
        XCTAssertEqual(LRSchedule.constant.rate(base: 0.3, step: 7), 0.3)
    }

    func testStepDecay() {
        let s = LRSchedule.step(every: 10, gamma: 0.5)
        XCTAssertEqual(s.factor(at: 0), 1)
        XCTAssertEqual(s.factor(at: 9), 1)
        XCTAssertEqual(s.factor(at: 10), 0.5)
        XCTAssertEqual(s.factor(at: 19), 0.5)
        XCTAssertEqual(s.factor(at: 25), 0.25)
        XCTAssertEqual(s.factor(at: 30), 0.125)
        XCTAssertEqual(s.rate(base: 0.1, step: 20), 0.025, accuracy: 1e-9)
    }

    func testCosine() {
        let s = LRSchedule.cosine(totalSteps: 100, minFactor: 0.1)
        XCTAssertEqual(s.factor(at: 0), 1, accuracy: 1e-6)
        XCTAssertEqual(s.factor(at: 50), 0.55, accuracy: 1e-6)
        // At a quarter: 0.1 + 0.9·(1 + cos(π/4))/2 = 0.868198
        XCTAssertEqual(s.factor(at: 25), 0.1 + 0.9 * 0.5 * (1 + Float(2).squareRoot() / 2), accuracy: 1e-5)
        XCTAssertEqual(s.factor(at: 100), 0.1, accuracy: 1e-6)
        XCTAssertEqual(s.factor(at: 250), 0.1, accuracy: 1e-6)
        // Monotonically non-increasing.
        let fs = (0...120).map { s.factor(at: $0) }
        XCTAssertTrue(zip(fs, fs.dropFirst()).allSatisfy { $0 >= $1 })
        XCTAssertEqual(LRSchedule.cosine(totalSteps: 10, minFactor: 0).factor(at: 10), 0, accuracy: 1e-6)
    }

    func testWarmup() {
        let s = LRSchedule.warmup(steps: 5, then: .constant)
        XCTAssertEqual(s.factor(at: 0), 0.2, accuracy: 1e-7)
        XCTAssertEqual(s.factor(at: 1), 0.4, accuracy: 1e-7)
        XCTAssertEqual(s.factor(at: 4), 1, accuracy: 1e-7)
        XCTAssertEqual(s.factor(at: 5), 1)
        XCTAssertEqual(s.factor(at: 500), 1)
    }

    func testWarmupThenCosineCountsFromEndOfRamp() {
        let s = LRSchedule.warmup(steps: 10, then: .cosine(totalSteps: 100, minFactor: 0))
        XCTAssertEqual(s.factor(at: 9), 1, accuracy: 1e-7)
        XCTAssertEqual(s.factor(at: 10), 1, accuracy: 1e-6)
        XCTAssertEqual(s.factor(at: 60), 0.5, accuracy: 1e-6)
        XCTAssertEqual(s.factor(at: 110), 0, accuracy: 1e-6)
        XCTAssertEqual(s.rate(base: 0.2, step: 60), 0.1, accuracy: 1e-6)
        let t = LRSchedule.warmup(steps: 2, then: .step(every: 3, gamma: 0.1))
        XCTAssertEqual((0..<8).map { t.factor(at: $0) }, [0.5, 1, 1, 1, 1, 0.1, 0.1, 0.1].map { Float($0) })
    }
}
