import XCTest
@testable import Datasets

final class CSVReaderTests: XCTestCase {
    func testHeaderDetectedAndLabelByName() throws {
        let text = "a,species,b\n1.5,setosa,2\n3,virginica,4\n5,setosa,6\n"
        let r = try CSVReader(label: .name("species")).parse(text, path: "iris.csv")
        XCTAssertEqual(r.featureNames, ["a", "b"])
        XCTAssertEqual(r.classNames, ["setosa", "virginica"])
        XCTAssertEqual(r.dataset.features, [1.5, 2, 3, 4, 5, 6])
        XCTAssertEqual(r.dataset.labels, [0, 1, 0])
        XCTAssertEqual(r.dataset.classCount, 2)
    }

    func testNoHeaderLabelByIndexWithNumericLabelsSortedNumerically() throws {
        let text = "0.5,10\r\n1.5,2\n\n2.5,10\n"
        let r = try CSVReader(label: .index(1)).parse(text, path: "x.csv")
        XCTAssertEqual(r.classNames, ["2", "10"])
        XCTAssertEqual(r.dataset.labels, [1, 0, 1])
        XCTAssertEqual(r.dataset.features, [0.5, 1.5, 2.5])
    }

    /// A regression target read as classes (issue 15: a 214-class "classification") is refused.
    func testAContinuousLabelColumnIsRefusedSayingWhatToDo() throws {
        let prices = "x,price\n" + (0..<50).map { "\($0),\(Double($0) * 1.37 + 0.5)" }.joined(separator: "\n") + "\n"
        XCTAssertThrowsError(try CSVReader(label: .name("price")).parse(prices, path: "houses.csv")) { error in
            if case .continuousLabel(let path, let distinct, _)? = error as? DatasetError {
                XCTAssertEqual(path, "houses.csv")
                XCTAssertEqual(distinct, 50)
            } else { XCTFail("\(error)") }
            XCTAssertTrue("\(error)".hasPrefix("houses.csv: the label column has 50 distinct values"), "\(error)")
            XCTAssertTrue("\(error)".contains("Add `task: regression`"), "\(error)")
        }
        let many = "x,id\n" + (0..<150).map { "\($0),\($0)" }.joined(separator: "\n") + "\n"
        XCTAssertThrowsError(try CSVReader(label: .name("id")).parse(many, path: "ids.csv")) { error in
            XCTAssertTrue("\(error)".hasPrefix("ids.csv: the label column has 150 distinct values"), "\(error)")
        }
        // Integer labels, and up to 100 classes, are classes.
        let hundred = "x,c\n" + (0..<200).map { "\($0),\($0 % 100)" }.joined(separator: "\n") + "\n"
        XCTAssertEqual(try CSVReader(label: .name("c")).parse(hundred, path: "ok.csv").dataset.classCount, 100)
        XCTAssertEqual(try CSVReader(label: .name("c")).parse("x,c\n1,2.0\n2,3.0\n", path: "f.csv").classNames, ["2.0", "3.0"])
    }

    func testNonNumericCellNamesFileLineAndColumn() {
        let text = "x,y,label\n1,2,a\n3,oops,b\n"
        XCTAssertThrowsError(try CSVReader(label: .name("label")).parse(text, path: "d.csv")) { error in
            XCTAssertEqual(error as? DatasetError, .nonNumeric(path: "d.csv", line: 3, column: 2, value: "oops"))
            XCTAssertTrue("\(error)".hasPrefix("d.csv:3:2:"), "\(error)")
        }
    }

    func testMissingLabelColumnListsTheColumns() {
        XCTAssertThrowsError(try CSVReader(label: .name("target")).parse("x,y\n1,2\n", path: "d.csv")) { error in
            XCTAssertEqual(error as? DatasetError, .missingLabelColumn(path: "d.csv", column: "target", available: ["x", "y"]))
        }
        XCTAssertThrowsError(try CSVReader(label: .index(5)).parse("1,2\n", path: "d.csv")) { error in
            guard case DatasetError.missingLabelColumn = error else { return XCTFail("\(error)") }
        }
    }

    func testRaggedRowAndEmptyFile() {
        XCTAssertThrowsError(try CSVReader(label: .index(0)).parse("1,2,3\n4,5\n", path: "r.csv")) { error in
            XCTAssertEqual(error as? DatasetError, .raggedRow(path: "r.csv", line: 2, expected: 3, found: 2))
        }
        XCTAssertThrowsError(try CSVReader(label: .index(0)).parse("\n\n", path: "e.csv")) { error in
            XCTAssertEqual(error as? DatasetError, .empty(path: "e.csv"))
        }
        XCTAssertThrowsError(try CSVReader(label: .name("y")).parse("x,y\n", path: "h.csv")) { error in
            XCTAssertEqual(error as? DatasetError, .empty(path: "h.csv"))
        }
    }
}
