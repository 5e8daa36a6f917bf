import Foundation
import XCTest
@testable import Datasets

final class TableTransformTests: XCTestCase {
    /// colour is text, size numeric with gaps, code numeric unless forced, label last.
    let text = """
    colour,size,code,label
    red,1.0,10,a
    blue,,20,b
    red,3.0,10,a
    green,NaN,30,b
    blue,5.0,20,a
    red,7.0,10,b
    purple,2.0,40,a
    ,4.0,10,b

    """

    func table() throws -> CSVTable { try CSVReader(label: .name("label")).parseTable(text, path: "t.csv") }

    func testTypesAreInferredAndCategoricalForces() throws {
        let t = try table()
        XCTAssertEqual(t.featureNames, ["colour", "size", "code"])
        XCTAssertEqual(t.fileColumns, [0, 1, 2])
        XCTAssertEqual(t.classNames, ["a", "b"])
        let inferred = try FittedTransform.fit(table: t, trainingRows: Array(0..<6))
        XCTAssertEqual(inferred.columns.map(\.kind), [.categorical, .numeric, .numeric])
        let forced = try FittedTransform.fit(table: t, trainingRows: Array(0..<6), categorical: [.name("code")])
        XCTAssertEqual(forced.columns.map(\.kind), [.categorical, .numeric, .categorical])
        XCTAssertEqual(forced.columns[2].categories, ["10", "20", "30"], "numbers in numeric order")
        XCTAssertTrue(forced.columns[2].forced)
        XCTAssertEqual(try FittedTransform.fit(table: t, trainingRows: [0], categorical: [.index(2)]).columns[2].kind, .categorical)
        XCTAssertThrowsError(try FittedTransform.fit(table: t, trainingRows: [0], categorical: [.name("shape")])) { error in
            XCTAssertEqual(error as? DatasetError, .unknownColumn(path: "t.csv", column: "shape", available: ["colour", "size", "code"]))
        }
        XCTAssertThrowsError(try FittedTransform.fit(table: t, trainingRows: [0], categorical: [.index(3)]), "the label column")
    }

    func testOneHotWithTheTrainingVocabularyAndUnseenCategories() throws {
        let t = try table()
        let train = [0, 1, 2, 3, 4, 5]
        let f = try FittedTransform.fit(table: t, trainingRows: train)
        XCTAssertEqual(f.columns[0].categories, ["blue", "green", "red"], "purple and the empty cell are validation-only")
        XCTAssertEqual(f.featureNames, ["colour=blue", "colour=green", "colour=red", "size", "size (missing)", "code"])
        let e = try f.apply(table: t, rows: [6, 7])
        XCTAssertEqual(e.unseen, [2, 0, 0])
        XCTAssertEqual(e.missing, [1, 0, 0])
        XCTAssertEqual(Array(e.features[0..<3]), [0, 0, 0], "unseen → the zero vector")
        XCTAssertEqual(Array(e.features[6..<9]), [0, 0, 0])
        let first = try f.apply(table: t, rows: [0])
        XCTAssertEqual(Array(first.features[0..<3]), [0, 0, 1], "one-hot features are not standardised")
        XCTAssertEqual(first.unseen, [0, 0, 0])
    }

    func testImputationWithTheTrainingMedianAndIndicators() throws {
        let t = try table()
        let f = try FittedTransform.fit(table: t, trainingRows: [0, 1, 2, 3, 4, 5])
        // size in training: 1, —, 3, —, 5, 7 → median 4; missing in training → an indicator.
        XCTAssertEqual(f.columns[1].fill, 4)
        XCTAssertTrue(f.columns[1].missingIndicator)
        XCTAssertFalse(f.columns[2].missingIndicator, "code has no missing cell")
        let raw = try f.encode(table: t, rows: [0, 1, 3])
        XCTAssertEqual(raw.missing, [0, 2, 0])
        XCTAssertEqual(raw.features[1 * 6 + 3], 4, "imputed")
        XCTAssertEqual(raw.features[1 * 6 + 4], 1, "indicator")
        XCTAssertEqual(raw.features[0 * 6 + 4], 0)
        // A column complete in training gets no indicator; a later gap still gets the median.
        let complete = try FittedTransform.fit(table: t, trainingRows: [0, 2, 4, 5])
        XCTAssertFalse(complete.columns[1].missingIndicator)
        XCTAssertEqual(complete.columns[1].fill, 4)
        XCTAssertEqual(try complete.encode(table: t, rows: [3]).features[2], 4, "blue, red, size, code")
        // Standardised value columns have training mean 0.
        let z = try f.apply(table: t, rows: [0, 1, 2, 3, 4, 5]).features
        let size = stride(from: 3, to: z.count, by: 6).map { Double(z[$0]) }
        XCTAssertEqual(size.reduce(0, +) / 6, 0, accuracy: 1e-6)
        XCTAssertEqual(FittedTransform.isMissing("N/A"), true)
        XCTAssertEqual(FittedTransform.isMissing("0"), false)
    }

    func testNumericTablesMatchTheNumericReaderAndStandardizer() throws {
        let numeric = "a,b,y\n1,2,x\n3,5,y\n4,4,x\n-1,0.5,y\n"
        let t = try CSVReader(label: .name("y")).parseTable(numeric, path: "n.csv")
        let d = try CSVReader(label: .name("y")).parse(numeric, path: "n.csv").dataset
        let rows = [0, 2, 3]
        let f = try FittedTransform.fit(table: t, trainingRows: rows)
        let z = Standardizer(fitting: d.subset(rows))
        XCTAssertEqual(f.scaling, .perFeature(mean: z.mean, std: z.std))
        XCTAssertEqual(try f.apply(table: t, rows: [0, 1, 2, 3]).features, z.apply(d).features)
    }

    func testTheTransformRoundTripsThroughJSONBitForBit() throws {
        let t = try table()
        let f = try FittedTransform.fit(table: t, trainingRows: [0, 1, 2, 3, 4, 5])
        let json = try f.json()
        let back = try FittedTransform(json: json)
        XCTAssertEqual(back, f)
        let expected = try f.apply(table: t, rows: [6, 7]).features
        let rows = [6, 7].map { r in t.columns.map { $0[r] } }
        let again = try back.apply(rows: rows)
        XCTAssertEqual(again.map(\.bitPattern), expected.map(\.bitPattern))
        XCTAssertThrowsError(try back.apply(rows: [["red", "x", "10"]])) { error in
            XCTAssertEqual(error as? DatasetError, .notANumber(column: "size", row: 0, value: "x"))
        }
        XCTAssertThrowsError(try back.apply(rows: [["red"]])) { error in
            XCTAssertEqual(error as? DatasetError, .rowWidth(row: 0, expected: 3, found: 1))
        }
        // Arrays: images get one mean and scale.
        let images = Dataset(features: [0, 0.5, 1, 0.25], labels: [0, 1], featureCount: 2, classCount: 2, imageShape: [1, 2, 1])
        let g = FittedTransform.fit(arrays: images, classNames: ["0", "1"])
        guard case .global = g.scaling else { return XCTFail("\(g.scaling)") }
        let gBack = try FittedTransform(json: try g.json())
        XCTAssertEqual(gBack.apply(features: images.features).map(\.bitPattern), g.apply(images).features.map(\.bitPattern))
        XCTAssertEqual(gBack.imageShape, [1, 2, 1])
    }

    /// predict's one-pass path for pixels gives the bits of the general one (÷ divisor, then scaling).
    func testBytesGoToFeaturesWithTheBitsOfTheGeneralPath() {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<(6 * 12)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let perFeature = FittedTransform.Scaling.perFeature(mean: (0..<12).map { Float($0) / 37 }, std: (0..<12).map { 0.2 + Float($0) / 11 })
        for scaling in [FittedTransform.Scaling.global(mean: 0.2860, scale: 1 / 0.3530), perFeature] {
            for divisor in [nil, Float(255)] {
                var t = FittedTransform(columns: [], inputWidth: 12, imageShape: [3, 4, 1], scaling: scaling, classNames: ["a", "b"])
                t.inputDivisor = divisor
                let fast = bytes.withUnsafeBufferPointer { t.apply(bytes: $0) }
                XCTAssertEqual(fast.map(\.bitPattern), t.apply(features: bytes.map(Float.init)).map(\.bitPattern), "\(scaling), ÷ \(String(describing: divisor))")
            }
        }
    }
}
