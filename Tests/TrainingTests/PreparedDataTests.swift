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
        let spec = DataSpec(source: .csv(path: path, labels: [.name("species")], testFraction: 0.2, hasHeader: true),
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

    // MARK: Bit-identity, new sources, fitted transforms

    /// The numeric CSV pipeline as it was before typed columns: parse, split, Standardizer.
    func testNumericCSVGivesTheSameBitsAsTheNumericReader() throws {
        let dir = try TemporaryDirectory(prefix: "prepared-same")
        let path = try writeCSV(dir, rows: 157)
        let spec = DataSpec(source: .csv(path: path, labels: [.name("species")], testFraction: 0.2, hasHeader: true),
                            validation: .fraction(0.25), trainExamples: 60)
        let d = try PreparedData.load(spec, seed: 11)
        let table = try CSVReader(label: .name("species")).read(path: path).dataset
        let held = try Split.stratified(table, validation: .fraction(0.2), seed: 11 ^ 0x7E57)
        var (train, validation) = try Split.stratified(held.train, validation: .fraction(0.25), seed: 11)
        train = try Split.stratified(train, validation: .count(60), seed: 11 ^ 0x5AB5).validation
        let z = Standardizer(fitting: train)
        XCTAssertEqual(d.train.features.map(\.bitPattern), z.apply(train).features.map(\.bitPattern))
        XCTAssertEqual(d.validation.features.map(\.bitPattern), z.apply(validation).features.map(\.bitPattern))
        XCTAssertEqual(d.test.features.map(\.bitPattern), z.apply(held.validation).features.map(\.bitPattern))
        XCTAssertEqual(d.test.labels, held.validation.labels)
        XCTAssertEqual(d.summary?.columns.map(\.kind), [.numeric, .numeric])
    }

    func writeMixedCSV(_ dir: TemporaryDirectory) throws -> String {
        var text = "colour,size,code,species\n"
        let colours = ["red", "blue", "green"]
        for i in 0..<240 {
            let colour = i == 7 ? "violet" : (i % 11 == 0 ? "" : colours[i % 3])
            let size = i % 13 == 0 ? "" : (i % 17 == 0 ? "NaN" : "\(Double(i % 9) * 1.5)")
            text += "\(colour),\(size),\(i % 4),\(i % 3 == 0 ? "a" : "b")\n"
        }
        let path = dir.file("mixed.csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testCategoricalAndMissingCSVColumnsAndTheirSummary() throws {
        let dir = try TemporaryDirectory(prefix: "prepared-mixed")
        let path = try writeMixedCSV(dir)
        let spec = DataSpec(source: .csv(path: path, labels: [.name("species")], testFraction: 0.2, hasHeader: true,
                                         categorical: [.name("code")]), validation: .fraction(0.2))
        let d = try PreparedData.load(spec, seed: 4)
        let summary = try XCTUnwrap(d.summary)
        XCTAssertEqual(summary.columns.map(\.name), ["colour", "size", "code"])
        XCTAssertEqual(summary.columns.map(\.kind), [.categorical, .numeric, .categorical])
        XCTAssertFalse(summary.columns[0].forced)
        XCTAssertTrue(summary.columns[2].forced)
        XCTAssertEqual(summary.columns[2].categories, ["0", "1", "2", "3"])
        XCTAssertTrue(summary.columns[1].missingIndicator)
        XCTAssertNotNil(summary.columns[1].median)
        XCTAssertEqual(summary.columns[1].missing.total, 240 / 13 + 1 + 240 / 17 - 240 / (13 * 17), "every gap counted once")
        XCTAssertEqual(summary.columns[0].missing.total, 22, "22 empty colours")
        XCTAssertEqual(summary.rows.total, 240)
        let violetSplit = summary.columns[0].unseen
        XCTAssertEqual(violetSplit.train, 0)
        // violet is in one row only: unseen unless that row is in training.
        XCTAssertLessThanOrEqual(violetSplit.validation + violetSplit.test, 1)
        XCTAssertEqual(d.featureCount, try XCTUnwrap(d.transform).featureCount)
        XCTAssertTrue(summary.lines.joined(separator: "\n").contains("colour: categorical"), summary.lines.joined(separator: "\n"))
        // One-hot columns stay 0/1 after standardisation.
        let colourWidth = d.transform!.columns[0].width
        for r in 0..<d.train.count {
            let row = d.train.features[(r * d.featureCount)..<(r * d.featureCount + colourWidth)]
            XCTAssertTrue(row.allSatisfy { $0 == 0 || $0 == 1 })
            XCTAssertEqual(row.reduce(0, +), 1, "a training row has a known colour (the empty one is a category)")
        }
        XCTAssertThrowsError(try PreparedData.load(DataSpec(source: .csv(path: path, labels: [.name("species")], testFraction: 0.2,
                                                                         hasHeader: true, categorical: [.name("shape")])), seed: 4)) { error in
            guard case DatasetError.unknownColumn = error else { return XCTFail("\(error)") }
        }
    }

    func testTheStoredTransformReappliedToTheRawTestRowsGivesTheTestSplitBitForBit() throws {
        let dir = try TemporaryDirectory(prefix: "prepared-transform")
        let path = try writeMixedCSV(dir)
        let spec = DataSpec(source: .csv(path: path, labels: [.name("species")], testFraction: 0.25, hasHeader: true),
                            validation: .count(30))
        let d = try PreparedData.load(spec, seed: 9)
        let stored = try FittedTransform(json: try XCTUnwrap(d.transform).json())
        XCTAssertEqual(stored, d.transform)
        let table = try CSVReader(label: .name("species")).readTable(path: path)
        let testRows = try Split.stratifiedIndices(labels: table.labels, classCount: table.classNames.count,
                                                   validation: .fraction(0.25), seed: PreparedData.testSeed(9)).validation
        let raw = testRows.map { r in table.columns.map { $0[r] } }
        XCTAssertEqual(try stored.apply(rows: raw).map(\.bitPattern), d.test.features.map(\.bitPattern))
    }

    func writeNPY(_ dir: TemporaryDirectory, _ name: String, _ values: [Double], _ shape: [Int], _ dtype: String) throws -> String {
        let path = dir.file(name).path
        try Data(NPY.encode(try NPY.array(values, shape: shape, dtype: dtype))).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testNPYImagesKeepTheirShapeAndTheTransformReapplies() throws {
        let dir = try TemporaryDirectory(prefix: "prepared-npy")
        let n = 60
        let pixels = (0..<(n * 4 * 4 * 2)).map { Double(($0 * 37) % 256) }
        let x = try writeNPY(dir, "x.npy", pixels, [n, 4, 4, 2], "|u1")
        let y = try writeNPY(dir, "y.npy", (0..<n).map { Double($0 % 3) }, [n, 1], "<i4")
        let tx = try writeNPY(dir, "tx.npy", Array(pixels.prefix(10 * 32)), [10, 4, 4, 2], "|u1")
        let ty = try writeNPY(dir, "ty.npy", (0..<10).map { Double($0 % 3) }, [10], "<i8")
        let d = try PreparedData.load(DataSpec(source: .npy(x: x, y: y, testX: tx, testY: ty), validation: .count(12)), seed: 2)
        XCTAssertEqual(d.imageShape, [4, 4, 2])
        XCTAssertEqual(d.featureCount, 32)
        XCTAssertEqual(d.train.count, 48)
        XCTAssertEqual(d.validation.count, 12)
        XCTAssertEqual(d.test.count, 10)
        XCTAssertEqual(d.classNames, ["0", "1", "2"])
        let stored = try FittedTransform(json: try XCTUnwrap(d.transform).json())
        XCTAssertEqual(stored.imageShape, [4, 4, 2])
        let rawTest = try NPY.read(path: tx).floats()
        XCTAssertEqual(stored.apply(features: rawTest).map(\.bitPattern), d.test.features.map(\.bitPattern))
        // Without test arrays a stratified test_fraction is held out, as for CSV.
        let held = try PreparedData.load(DataSpec(source: .npy(x: x, y: y, testFraction: 0.25), validation: .count(9)), seed: 2)
        XCTAssertEqual(held.test.count, 15)
        XCTAssertEqual(held.test.classCounts, [5, 5, 5])
        XCTAssertEqual(held.train.count, 36)
        // Typed errors name the file.
        let short = try writeNPY(dir, "short.npy", [0, 1], [2], "<i4")
        XCTAssertThrowsError(try PreparedData.load(DataSpec(source: .npy(x: x, y: short)), seed: 2)) { error in
            XCTAssertEqual(error as? DatasetError, .rowCountMismatch(x: x, xRows: n, y: short, yRows: 2))
        }
    }

    func testNPZMembersDefaultRenamedAndMissing() throws {
        let dir = try TemporaryDirectory(prefix: "prepared-npz")
        func member(_ values: [Double], _ shape: [Int], _ dtype: String) throws -> [UInt8] {
            NPY.encode(try NPY.array(values, shape: shape, dtype: dtype))
        }
        let x = try member((0..<(50 * 3)).map { Double($0 % 7) }, [50, 3], "<f8")
        let y = try member((0..<50).map { Double($0 % 2) }, [50], "<i8")
        let tx = try member((0..<(8 * 3)).map(Double.init), [8, 3], "<f8")
        let ty = try member((0..<8).map { Double($0 % 2) }, [8], "<i8")
        let plain = dir.file("plain.npz").path, withTest = dir.file("test.npz").path, keras = dir.file("keras.npz").path
        try Data(NPZArchive.archive([("x.npy", x), ("y.npy", y)], deflate: false)).write(to: URL(fileURLWithPath: plain))
        try Data(NPZArchive.archive([("x.npy", x), ("y.npy", y), ("test_x.npy", tx), ("test_y.npy", ty)], deflate: true))
            .write(to: URL(fileURLWithPath: withTest))
        try Data(NPZArchive.archive([("x_train.npy", x), ("y_train.npy", y), ("x_test.npy", tx), ("y_test.npy", ty)], deflate: true))
            .write(to: URL(fileURLWithPath: keras))
        XCTAssertEqual(try PreparedData.load(DataSpec(source: .npz(path: plain)), seed: 1).test.count, 10)
        let own = try PreparedData.load(DataSpec(source: .npz(path: withTest)), seed: 1)
        XCTAssertEqual(own.test.count, 8)
        XCTAssertNil(own.imageShape)
        let renamed = try PreparedData.load(DataSpec(source: .npz(path: keras, x: "x_train", y: "y_train", testX: "x_test", testY: "y_test")), seed: 1)
        XCTAssertEqual(renamed.test.features, own.test.features)
        XCTAssertThrowsError(try PreparedData.load(DataSpec(source: .npz(path: keras)), seed: 1)) { error in
            XCTAssertEqual(error as? DatasetError, .missingMember(path: keras, member: "x", found: ["x_train", "y_train", "x_test", "y_test"]))
        }
        XCTAssertThrowsError(try PreparedData.load(DataSpec(source: .npz(path: withTest, testFraction: 0.3)), seed: 1)) { error in
            guard case DatasetError.conflict = error else { return XCTFail("\(error)") }
        }
    }

    /// IDX images through the FittedTransform give the bits of the former in-place normalisation.
    func testIDXImagesGiveTheSameBitsAsBefore() throws {
        let dir = try TemporaryDirectory(prefix: "prepared-idx")
        func idx(_ dims: [Int], _ payload: [UInt8]) -> Data {
            var b: [UInt8] = [0, 0, 8, UInt8(dims.count)]
            for d in dims { b += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)] }
            return Data(b + payload)
        }
        for (prefix, n) in [("train", 90), ("t10k", 20)] {
            try idx([n, 3, 3], (0..<(n * 9)).map { UInt8(($0 * 53 + n) % 256) }).write(to: dir.file("\(prefix)-images-idx3-ubyte"))
            try idx([n], (0..<n).map { UInt8($0 % 3) }).write(to: dir.file("\(prefix)-labels-idx1-ubyte"))
        }
        let spec = DataSpec(source: .idx(directory: dir.url.path), validation: .count(15), trainExamples: 40)
        let d = try PreparedData.load(spec, seed: 6)
        var (train, validation) = try Split.stratified(Dataset.loadIDX(directory: dir.url.path, split: .train), validation: .count(15), seed: 6)
        train = try Split.stratified(train, validation: .count(40), seed: 6 ^ 0x5AB5).validation
        var test = try Dataset.loadIDX(directory: dir.url.path, split: .test)
        var sum = 0.0, sq = 0.0
        for v in train.features { sum += Double(v) }
        let count = Double(train.features.count), mean = sum / count
        for v in train.features { let e = Double(v) - mean; sq += e * e }
        let m = Float(mean), scale = Float(1 / max((sq / count).squareRoot(), 1e-8))
        for i in train.features.indices { train.features[i] = (train.features[i] - m) * scale }
        for i in validation.features.indices { validation.features[i] = (validation.features[i] - m) * scale }
        for i in test.features.indices { test.features[i] = (test.features[i] - m) * scale }
        XCTAssertEqual(d.train.features.map(\.bitPattern), train.features.map(\.bitPattern))
        XCTAssertEqual(d.validation.features.map(\.bitPattern), validation.features.map(\.bitPattern))
        XCTAssertEqual(d.test.features.map(\.bitPattern), test.features.map(\.bitPattern))
        XCTAssertEqual(d.imageShape, [3, 3, 1])
        XCTAssertEqual(d.transform?.scaling, .global(mean: m, scale: scale))
        XCTAssertEqual(d.summary?.rows, DataSummary.Counts(train: 40, validation: 15, test: 20))
    }
}
