// The report's "What the network sees": check/inputs.png as a data: URI and distributions.svg
// inline, the page still one well-formed XHTML file.
import Foundation
@testable import Reports
import TestSupport
import XCTest

final class HTMLReportInputsTests: XCTestCase {
    let png = PNGWriter.grid(tiles: [[0, 128, 255, 64], [255, 0, 0, 255]], tileWidth: 2, tileHeight: 2, columns: 2, scale: 3)
    let svg = FeatureDistributions.svg(featureNames: ["a & b"], featureCount: 1,
                                       splits: [.init(name: "train", features: [0, 1, 2], labels: [0, 1, 1])], classNames: ["no", "yes"], targetName: nil)

    func testTheSectionEmbedsThePNGAndTheSVGAndStaysWellFormed() throws {
        var input = ReportFixture.input
        input.checkInputsPNG = png.encoded()
        input.checkDistributionsSVG = svg
        let html = HTMLReport.render(input, generatedAt: Date(timeIntervalSince1970: 1_760_003_600))
        let doc = try InputsPictureTests.elements(html)
        let heading = try XCTUnwrap(html.range(of: "<h2>What the network sees</h2>"))
        let checks = try XCTUnwrap(html.range(of: "<h2>Checks (check.json)</h2>"))
        XCTAssertLessThan(heading.lowerBound, checks.lowerBound, "just before the checks")
        let img = try XCTUnwrap(doc.first { $0.name == "img" })
        let src = try XCTUnwrap(img.attributes["src"])
        XCTAssertTrue(src.hasPrefix("data:image/png;base64,"))
        XCTAssertEqual(Data(base64Encoded: String(src.dropFirst("data:image/png;base64,".count))).map { [UInt8]($0) }, png.encoded())
        XCTAssertFalse(img.attributes["alt", default: ""].isEmpty)
        XCTAssertTrue(doc.contains { $0.name == "svg" && $0.attributes["class"] == "chart distributions" })
        XCTAssertFalse(html.contains("http://") && html.contains("src=\"http"), "nothing fetched")

        input.checkInputsPNG = nil
        input.checkDistributionsSVG = nil
        XCTAssertFalse(HTMLReport.render(input).contains("What the network sees"), "no pictures, no section")
    }

    func testLoadReadsTheRunDirectorysPicturesAndSkipsWhatItCannotInline() throws {
        let dir = try TemporaryDirectory(prefix: "report-inputs")
        var input = ReportFixture.input
        input.loadCheckPictures(dir.file("check"))
        XCTAssertNil(input.checkInputsPNG)
        XCTAssertNil(input.checkDistributionsSVG)
        try FileManager.default.createDirectory(at: dir.file("check"), withIntermediateDirectories: true)
        try Data(png.encoded()).write(to: dir.file("check/inputs.png"))
        try ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svg).write(to: dir.file("check/distributions.svg"), atomically: true, encoding: .utf8)
        input.loadCheckPictures(dir.file("check"))
        XCTAssertEqual(input.checkInputsPNG, png.encoded())
        XCTAssertEqual(input.checkDistributionsSVG?.hasPrefix("<svg"), true, "the XML declaration is dropped for inlining")

        var other = ReportFixture.input
        try Data("not a png".utf8).write(to: dir.file("check/inputs.png"))
        try "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".write(to: dir.file("check/distributions.svg"), atomically: true, encoding: .utf8)
        other.loadCheckPictures(dir.file("check"))
        XCTAssertNil(other.checkInputsPNG)
        XCTAssertNil(other.checkDistributionsSVG)
        XCTAssertNil(ReportInput.inlineableSVG("<svg onload=\"x()\"></svg>"))
        XCTAssertNil(ReportInput.inlineableSVG("<!DOCTYPE svg [<!ENTITY a \"b\">]><svg></svg>"))
    }
}
