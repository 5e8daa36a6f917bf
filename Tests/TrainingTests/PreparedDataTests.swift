import Datasets
import Foundation
import Search
import TestSupport
import XCTest
@testable import Training

final class PreparedDataTests: XCTestCase {
    func writeCSV(_ dir: TemporaryDirectory, rows: Int = 200) throws -> String {
        var text = "a,b,species\n"
        for i in 0..<rows { text += "\(Double(i)),\(Double(i % 7) * 10 + 100),\(i % 4 == 0 ? "setosa" : "virginica")\n" }
        let path = dir.file("t.csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testCSVSplitsAndStandardisesOnTrainOnly() throws {
        let dir = try TemporaryDirectory(prefix: "prepared")
        let path = try writeCSV(dir)
        let spec = DataSpec(source: .csv(path: path, label: .name("species"), testFraction: 0.2, hasHeader: true),
                            validation: .fraction(0.25), trainExamples: nil)
        let d = try PreparedData.load(spec, seed: 3)
        XCTAssertEqual(d.test.count, 40)
        XCTAssertEqual(d.validation.count, 40)
        XCTAssertEqual(d.train.count, 120)
        XCTAssertEqual(d.classNames, ["setosa", "virginica"])
        XCTAssertEqual(d.test.classCounts, [10, 30], "stratified")
        // Standardised with training statistics: train has mean 0 and unit variance; the others not exactly.
        for j in 0..<2 {
            let col = stride(from: j, to: d.train.features.count, by: 2).map { Double(d.train.features[$0]) }
            let mean = col.reduce(0, +) / Double(col.count)
            XCTAssertEqual(mean, 0, accuracy: 1e-5)
            XCTAssertEqual(col.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(col.count), 1, accuracy: 1e-4)
        }
        // Same seed, same split; the test hold-out does not move when validation changes.
        let again = try PreparedData.load(spec, seed: 3)
        XCTAssertEqual(again.validation.labels, d.validation.labels)
        var other = spec
        other.validation = .count(10)
        XCTAssertEqual(try PreparedData.load(other, seed: 3).test.labels, d.test.labels)
        other.trainExamples = 50
        let small = try PreparedData.load(other, seed: 3)
        XCTAssertEqual(small.train.count, 50)
        XCTAssertEqual(Double(small.train.classCounts[0]), 12.5, accuracy: 0.5, "stratified: 50 × 30/120")
    }

    func testMissingDataIsATypedError() {
        let spec = DataSpec(source: .idx(directory: "/nonexistent/mnist"), validation: .count(10), trainExamples: nil)
        XCTAssertThrowsError(try PreparedData.load(spec, seed: 1)) { error in
            guard case DatasetError.missingFile(let path, _) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(path.hasPrefix("/nonexistent/mnist"))
        }
    }

    func testFashionMNIST() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Dataset.fashionMNISTDirectory),
                          "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist; scripts/setup.sh does)")
        let spec = DataSpec(source: .fashionMNIST, validation: .count(10000), trainExamples: 2000)
        let d = try PreparedData.load(spec, seed: 7)
        XCTAssertEqual(d.train.count, 2000)
        XCTAssertEqual(d.validation.count, 10000)
        XCTAssertEqual(d.test.count, 10000)
        XCTAssertEqual(d.imageShape, [28, 28, 1])
        XCTAssertEqual(d.classNames.count, 10)
        XCTAssertEqual(d.validation.classCounts, [Int](repeating: 1000, count: 10))
    }
}
