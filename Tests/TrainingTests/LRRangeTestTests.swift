import TensorCore
import XCTest
@testable import Training

final class LRRangeTestTests: XCTestCase {
    func testRampsExponentiallyAndSuggestsARateBeforeDivergence() throws {
        var t = LRRangeTest(config: Fixtures.mlp(), data: Fixtures.blobData(), seed: 1)
        t.steps = 100
        t.minRate = 1e-5
        t.maxRate = 100
        let r = try t.run()
        XCTAssertTrue(r.diverged, "Adam at rates up to 100 must diverge")
        XCTAssertLessThan(r.points.count, 100)
        XCTAssertEqual(r.points[0].learningRate, 1e-5, accuracy: 1e-12)
        let ratios = zip(r.points.dropFirst(), r.points).map { $0.learningRate / $1.learningRate }
        XCTAssertEqual(ratios.min()!, ratios.max()!, accuracy: 1e-9)
        XCTAssertGreaterThan(r.suggested, 1e-5)
        XCTAssertLessThanOrEqual(r.suggested, r.minimumLossRate)
        // The suggestion trains: one epoch at it beats the loss at init clearly.
        var c = Fixtures.mlp()
        c.learningRate = r.suggested
        let trained = try Trainer(config: c, data: Fixtures.blobData(), seed: 1, maxEpochs: 2).train()
        XCTAssertLessThan(try XCTUnwrap(trained.best).validationLoss, 0.5 * log(3.0))
    }

    func testSteepestPicksTheFastestFall() {
        // Smoothed loss: flat, then falling fastest around rate 1e-2, then a minimum at 1e-1.
        let rates = (0..<41).map { pow(10, -5 + Double($0) * 0.125) }
        let points = rates.enumerated().map { i, lr -> LRRangeTest.Point in
            let x = log10(lr)
            let loss = 2 - 1.5 / (1 + exp(-4 * (x + 2))) + (x > -1 ? (x + 1) * 3 : 0)
            return LRRangeTest.Point(step: i, learningRate: lr, loss: loss, smoothedLoss: loss)
        }
        let s = LRRangeTest.steepest(points)
        XCTAssertEqual(log10(s), -2, accuracy: 0.2)
        XCTAssertEqual(log10(LRRangeTest.minimum(points).learningRate), -1, accuracy: 0.2)
    }
}
