import XCTest
@testable import Datasets

final class SplitTests: XCTestCase {
    /// 100 rows: 70 of class 0, 20 of class 1, 10 of class 2; feature = row index.
    let data = Dataset(features: (0..<100).map(Float.init),
                       labels: (0..<100).map { $0 < 70 ? 0 : ($0 < 90 ? 1 : 2) }, featureCount: 1, classCount: 3)

    func testStratifiedProportionsAndDisjointCover() throws {
        let (train, valid) = try Split.stratified(data, validation: .fraction(0.2), seed: 4)
        XCTAssertEqual(valid.count, 20)
        XCTAssertEqual(valid.classCounts, [14, 4, 2])
        XCTAssertEqual(train.classCounts, [56, 16, 8])
        XCTAssertEqual(Set(train.features + valid.features), Set((0..<100).map(Float.init)))
        XCTAssertTrue(Set(train.features).isDisjoint(with: valid.features))
    }

    func testCountAndDeterminism() throws {
        let a = try Split.stratified(data, validation: .count(13), seed: 9)
        let b = try Split.stratified(data, validation: .count(13), seed: 9)
        let c = try Split.stratified(data, validation: .count(13), seed: 10)
        XCTAssertEqual(a.validation.count, 13)
        XCTAssertEqual(a.validation.features, b.validation.features)
        XCTAssertNotEqual(a.validation.features, c.validation.features)
        // 13 of 100 over 70/20/10: exact shares 9.1, 2.6, 1.3 → largest remainders give 9, 3, 1.
        XCTAssertEqual(a.validation.classCounts, [9, 3, 1])
    }

    func testInvalidSizesAreErrors() {
        for size in [Split.Size.count(0), .count(100), .fraction(0), .fraction(1), .fraction(-0.1)] {
            XCTAssertThrowsError(try Split.stratified(data, validation: size, seed: 1), "\(size)") { error in
                guard case DatasetError.invalidSplit = error else { return XCTFail("\(error)") }
            }
        }
    }

    func testStandardizerFitsOnTrainingDataOnly() {
        let train = Dataset(features: [1, 5, 3, 5, 5, 5], labels: [0, 1, 0], featureCount: 2, classCount: 2)
        let other = Dataset(features: [7, 5], labels: [1], featureCount: 2, classCount: 2)
        let s = Standardizer(fitting: train)
        XCTAssertEqual(s.mean, [3, 5])
        XCTAssertEqual(s.std[0], (8.0 / 3.0).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(s.std[1], 1, "a constant feature is centred, not divided by zero")
        let t = s.apply(train)
        XCTAssertEqual(t.features[0] + t.features[2] + t.features[4], 0, accuracy: 1e-6)
        XCTAssertEqual(t.features[1], 0)
        XCTAssertEqual(s.apply(other).features[0], Float(4 / (8.0 / 3.0).squareRoot()), accuracy: 1e-5)
    }
}
