import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import Reports

final class LinePlotTests: XCTestCase {
    func testSVGIsWellFormedWithOneLinePerSeries() throws {
        var plot = LinePlot(title: "loss <vs> rate & more", xLabel: "learning rate", yLabel: "loss", logX: true)
        plot.series = [.init(name: "raw", points: [(1e-5, 2.3), (1e-3, 1.0), (1e-1, .nan), (1, 5)]),
                       .init(name: "smoothed", points: [(1e-5, 2.3), (1e-3, 1.2), (1, 4)], color: "#ff0000")]
        plot.markers = [.init(x: 1e-3, label: "suggested")]
        let svg = plot.svg()
        // Parses as XML (escaped title, no stray markup).
        let doc = try XMLDocument(xmlString: svg)
        XCTAssertEqual(doc.rootElement()?.name, "svg")
        XCTAssertEqual(try doc.nodes(forXPath: "//*[local-name()='polyline']").count, 2)
        // NaN points are dropped, not drawn.
        let raw = try XCTUnwrap(svg.split(separator: "\n").first { $0.contains("data-name=\"raw\"") })
        let points = try XCTUnwrap(raw.split(separator: "points=\"").last?.split(separator: "\"").first)
        XCTAssertEqual(points.split(separator: " ").count, 3)
        XCTAssertTrue(svg.contains("loss &lt;vs&gt; rate &amp; more"))
        // Log axis: decade ticks 1e-05 … 1.
        XCTAssertTrue(svg.contains(">1e-05<") && svg.contains(">0.01<") && svg.contains(">1<"), svg)
    }

    func testNiceTicks() {
        XCTAssertEqual(LinePlot.ticks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1.0].map { $0 }, accuracy: 1e-12)
        XCTAssertEqual(LinePlot.ticks(0.13, 0.47).first!, 0.2, accuracy: 1e-12)
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "\(a) vs \(b)", file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
