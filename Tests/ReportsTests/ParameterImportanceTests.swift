import Foundation
@testable import Reports
import Search
import XCTest

final class ParameterImportanceTests: XCTestCase {
    /// 60 trials: a (log-uniform-like), b (categorical) and c (uniform) spread by a fixed LCG.
    func trials(_ metric: (Double, String, Double) -> Double) -> [(configuration: Configuration, value: Double)] {
        var state: UInt64 = 12345
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        return (0..<60).map { _ in
            let a = pow(10, -4 + 3 * next()), b = ["adam", "sgd", "rmsprop"][Int(next() * 3)], c = next()
            return (Configuration(["a": .double(a), "b": .string(b), "c": .double(c)]), metric(a, b, c))
        }
    }

    let parameters: [(name: String, categorical: Bool)] = [("a", false), ("b", true), ("c", false)]

    func share(_ r: ParameterImportance, _ name: String) -> Double { r.entries.first { $0.name == name }!.share }

    func testAMetricOfOneNumericParameterGivesItTheImportance() {
        let r = ParameterImportance(parameters: parameters, trials: trials { a, _, _ in pow(log10(a) + 2.5, 2) })
        XCTAssertEqual(r.trials, 60)
        XCTAssertGreaterThan(share(r, "a"), 0.9)
        XCTAssertEqual(r.entries.map(\.share).reduce(0, +), 1, accuracy: 1e-12)
        XCTAssertEqual(r.entries.map(\.name), ["a", "b", "c"])
        XCTAssertGreaterThan(r.entries[0].explained, 0.8)
    }

    func testAMetricOfOneCategoricalParameterGivesItTheImportance() {
        let r = ParameterImportance(parameters: parameters, trials: trials { _, b, c in (b == "sgd" ? 1.0 : 0) + 0.01 * c })
        XCTAssertGreaterThan(share(r, "b"), 0.9)
        XCTAssertEqual(r.entries.first { $0.name == "b" }?.bins, 3)
    }

    func testAConstantMetricGivesNoImportanceAndNoNaN() {
        let r = ParameterImportance(parameters: parameters, trials: trials { _, _, _ in 0.1 })
        XCTAssertEqual(r.entries.map(\.share), [0, 0, 0])
        XCTAssertEqual(r.entries.map(\.explained), [0, 0, 0])
    }

    func testNonFiniteValuesAreSkippedAndTinyInputsAreSafe() {
        var rows = trials { a, _, _ in a }
        rows[0].value = .nan
        rows[1].value = .infinity
        XCTAssertEqual(ParameterImportance(parameters: parameters, trials: rows).trials, 58)
        for n in 0...3 {
            let r = ParameterImportance(parameters: parameters, trials: Array(rows.dropFirst(2).prefix(n)))
            XCTAssertTrue(r.entries.allSatisfy { $0.share.isFinite && $0.explained.isFinite }, "\(n) trials")
        }
    }

    func testInactiveParametersFormTheirOwnBin() {
        // "m" exists only for sgd and the metric depends on whether it exists.
        let rows: [(configuration: Configuration, value: Double)] = (0..<40).map { i in
            var config = Configuration(["opt": .string(i % 2 == 0 ? "sgd" : "adam"), "noise": .double(Double((i * 7) % 40))])
            if i % 2 == 0 { config["m"] = .double(0.5 + Double(i) / 100) }
            return (config, i % 2 == 0 ? 1.0 : 2.0)
        }
        let r = ParameterImportance(parameters: [("opt", true), ("m", false), ("noise", false)], trials: rows)
        XCTAssertEqual(r.entries.first { $0.name == "noise" }?.explained ?? 1, 0, accuracy: 0.05)
        XCTAssertGreaterThan(r.entries.first { $0.name == "m" }!.explained, 0.9, "its inactive bin separates adam from sgd")
    }

    func testClampingAndBins() {
        // Outliers are pulled in to the far fences; no fences when the IQR is 0.
        XCTAssertEqual(ParameterImportance.clamped([1, 2, 3, 4, 1000]), [1, 2, 3, 4, 10])
        XCTAssertEqual(ParameterImportance.clamped([1, 1, 1, 1, 1000]), [1, 1, 1, 1, 1000])
        // Equal values share a bin; few distinct values get a bin each.
        let labels = ParameterImportance.binLabels([.double(1), .double(1), .double(2), .double(3), .double(4), .double(5), nil],
                                                   categorical: false, bins: 2)
        XCTAssertEqual(labels, ["q0", "q0", "q0", "q1", "q1", "q1", "inactive"])
        XCTAssertEqual(ParameterImportance.binLabels([.int(1), .int(2), .int(1)], categorical: false, bins: 4), ["q0", "q1", "q0"])
    }
}
