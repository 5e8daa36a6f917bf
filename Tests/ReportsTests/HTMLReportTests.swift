import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Reports
import Search
import Storage
import XCTest

/// The elements of an XML document, with their attributes and text.
final class Elements: NSObject, XMLParserDelegate {
    struct Element { var name: String; var attributes: [String: String]; var text = "" }
    var all: [Element] = []
    private var open: [Int] = []
    var error: Error?

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
        all.append(Element(name: name, attributes: attributes))
        open.append(all.count - 1)
    }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) { open.removeLast() }
    func parser(_ parser: XMLParser, foundCharacters string: String) { for i in open { all[i].text += string } }
    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { error = parseError }

    static func parse(_ text: String) throws -> Elements {
        let parser = XMLParser(data: Data(text.utf8))
        let elements = Elements()
        parser.delegate = elements
        guard parser.parse() else { throw elements.error ?? parser.parserError ?? NSError(domain: "XML", code: 1) }
        return elements
    }

    func byID(_ id: String) -> Element? { all.first { $0.attributes["id"] == id } }
}

final class HTMLReportTests: XCTestCase {
    let html = HTMLReport.render(ReportFixture.input, generatedAt: Date(timeIntervalSince1970: 1_760_003_600))

    /// repeats: 2 — the eight trials are configurations 0…3, each with its mean ± spread, best first;
    /// a sweep that ended early says so in its summary; the page stays well-formed.
    func testRepeatsAndAnEarlyEndAreShown() throws {
        var input = ReportFixture.input
        input.spec.repeats = 2
        input.spec.budget = Budget(trials: 10, maxEpochs: 5, time: 5400)
        input.sweep.environment["ended"] = "time budget 1h30m spent"
        let page = HTMLReport.render(input, generatedAt: Date(timeIntervalSince1970: 1_760_003_600))
        _ = try Elements.parse(page)
        XCTAssertTrue(page.contains("Configurations over their repeats"))
        XCTAssertTrue(page.contains("(time budget 1h30m); ended early: time budget 1h30m spent"), "summary")
        let groups = ConfigurationStatistics.ranked(input.trials, repeats: 2, metric: input.spec.metric)
        XCTAssertEqual(groups.map(\.index).sorted(), [0, 1, 2, 3])
        // Configuration 0: trials 0 (completed) and 1 (early_stopped) both kept a model.
        let zero = try XCTUnwrap(groups.first { $0.index == 0 })
        XCTAssertEqual(zero.count, 2)
        let values = input.trials.filter { $0.index < 2 }.compactMap(\.bestValue)
        XCTAssertEqual(try XCTUnwrap(zero.mean), values.reduce(0, +) / 2, accuracy: 1e-15)
        // Configuration 2: trial 4 failed, so the mean is trial 5's alone, with no spread.
        let two = try XCTUnwrap(groups.first { $0.index == 2 })
        XCTAssertEqual(two.count, 1)
        XCTAssertNil(two.standardDeviation)
        let rowStart = try XCTUnwrap(page.range(of: "<tr><td>\(groups[0].index)</td>"))
        XCTAssertLessThan(rowStart.lowerBound, try XCTUnwrap(page.range(of: "<tr><td>\(groups[3].index)</td>")).lowerBound, "best mean first")
    }

    func testIsWellFormedXHTML() throws {
        let doc = try Elements.parse(html)
        XCTAssertEqual(doc.all.first?.name, "html")
        XCTAssertEqual(doc.all.first?.attributes["xmlns"], "http://www.w3.org/1999/xhtml")
        XCTAssertTrue(doc.all.contains { $0.name == "svg" })
    }

    func testOneCurvePerTrialWithEpochs() throws {
        let doc = try Elements.parse(html)
        let curves = doc.all.filter { $0.name == "path" && $0.attributes["class"] == "curve" }
        let withEpochs = Set(ReportFixture.epochs.map(\.trial))
        XCTAssertEqual(curves.count, withEpochs.count)
        XCTAssertEqual(Set(curves.compactMap { $0.attributes["data-trial"].flatMap(Int.init) }), withEpochs)
        // Pruned, diverged and failed trials are faded; the best five are drawn in colour at full opacity.
        for c in curves {
            let state = try XCTUnwrap(c.attributes["data-state"])
            if ["pruned", "diverged", "failed"].contains(state) { XCTAssertEqual(c.attributes["stroke-opacity"], "0.25", state) }
        }
        XCTAssertEqual(curves.filter { $0.attributes["stroke-opacity"] == "1" }.count, 5)
        // The diverged trial's NaN epoch breaks its line: one point only, no segment to NaN.
        let diverged = try XCTUnwrap(curves.first { $0.attributes["data-trial"] == "3" }?.attributes["d"])
        XCTAssertFalse(diverged.contains("L") || diverged.lowercased().contains("nan"), diverged)
        XCTAssertTrue(diverged.hasPrefix("M") && diverged.hasSuffix(" h0"), "a lone point is drawn as a dot: \(diverged)")
    }

    func testSummaryMatchesTheInput() throws {
        let doc = try Elements.parse(html)
        XCTAssertEqual(doc.byID("trial-count")?.text, "\(ReportFixture.trials.count)")
        let best = try XCTUnwrap(ReportFixture.trials.compactMap(\.bestValue).filter(\.isFinite).min())
        let value = try XCTUnwrap(doc.byID("best-value")?.attributes["data-value"].flatMap(Double.init))
        XCTAssertEqual(value, best)
        XCTAssertEqual(doc.byID("best-value")?.text, String(format: "%.4g", best))
        XCTAssertEqual(doc.byID("best-trial")?.text, ReportFixture.trials.first { $0.bestValue == best }.map { String($0.index) })
        XCTAssertEqual(doc.byID("epochs-trained")?.text, "\(ReportFixture.epochs.count)")
        XCTAssertTrue(html.contains("\(ReportFixture.epochs.count) epochs trained against 50"), "savings against trials × max_epochs")
    }

    func testSelfContained() {
        var rest = html[...]
        let allowed = ["http://www.w3.org/1999/xhtml\"", "http://www.w3.org/2000/svg\""]
        while let r = rest.range(of: "http", options: .caseInsensitive) {
            XCTAssertTrue(allowed.contains { rest[r.lowerBound...].hasPrefix($0) }, String(rest[r.lowerBound...].prefix(60)))
            rest = rest[r.upperBound...]
        }
        for banned in ["<script", "<link", "<img", "<iframe", "src=", "href=", "@import", "@font-face"] {
            XCTAssertFalse(html.lowercased().contains(banned), banned)
        }
    }

    func testEscapesTextAndShowsEverySection() throws {
        XCTAssertTrue(html.contains("mlp &lt;&amp;&gt; &quot;quoted&quot;"))
        XCTAssertTrue(html.contains("worker threw: &lt;oops &amp; &quot;bad&quot;&gt;"))
        XCTAssertTrue(html.contains("a &lt; b &amp; c &gt; d"), "environment escaped")
        XCTAssertFalse(html.contains("<oops"))
        for heading in ["Learning curves", "val_loss against each hyperparameter", "Parallel coordinates", "Parameter importance",
                        "Early-stopping savings", "Ensembles and distillation", "Checks (check.json)", "Sweep file", "Environment"] {
            XCTAssertTrue(html.contains("<h2>\(heading)</h2>"), heading)
        }
        // The newest ensemble (greedy, #2) and distillation (#3); the older average counted.
        XCTAssertTrue(html.contains("Ensemble #2 (greedy)") && html.contains("Distillation #3"))
        XCTAssertTrue(html.contains("1 older ensemble is stored too"))
        XCTAssertTrue(html.contains("trial 0 &lt;best &amp; co&gt;") && html.contains("0.8812") && html.contains("101770"))
        XCTAssertTrue(html.contains("keeps 66%"))
        // Log axis for the learning rate, strips for the optimizer, one scatter per varying parameter.
        XCTAssertTrue(html.contains("learning_rate (log scale)"))
        let doc = try Elements.parse(html)
        XCTAssertEqual(doc.all.filter { $0.name == "svg" && $0.attributes["class"] == "chart scatter" }.count, 4)
        XCTAssertEqual(doc.all.filter { $0.name == "polyline" && $0.attributes["class"] == "trial" }.count, ReportFixture.trials.count)
        XCTAssertTrue(html.contains("ε²"))
    }

    func testNoCheckSectionWithoutCheckJSONAndEmptySweep() throws {
        var input = ReportFixture.input
        input.checkText = nil
        XCTAssertFalse(HTMLReport.render(input).contains("check.json"))
        // A sweep that has not started: still a valid page, saying so.
        let empty = ReportInput(spec: ReportFixture.spec, sweep: ReportFixture.sweep, trials: [], epochs: [])
        let page = HTMLReport.render(empty)
        _ = try Elements.parse(page)
        XCTAssertTrue(page.contains("No epoch recorded yet") && page.contains("No ensemble stored yet"))
    }

    func testLoadsFromAStore() throws {
        let store = InMemoryStore()
        try store.setSweep(ReportFixture.sweep)
        for t in ReportFixture.trials { try store.upsertTrial(t) }
        for e in ReportFixture.epochs { try store.appendEpoch(e) }
        for r in ReportFixture.ensembles { try store.putEnsemble(r) }
        let input = try ReportInput.load(store: store, spec: ReportFixture.spec, directory: nil)
        XCTAssertEqual(input.trials.count, ReportFixture.trials.count)
        XCTAssertEqual(input.epochs.count, ReportFixture.epochs.count)
        XCTAssertEqual(input.ensembles.map(\.method), ["average", "greedy", "distilled"])
        XCTAssertThrowsError(try ReportInput.load(store: InMemoryStore(), spec: ReportFixture.spec, directory: nil))
    }

    func testEscapeAndJitter() {
        XCTAssertEqual(Markup.escape("a&b<c>\"d'\u{1}"), "a&amp;b&lt;c&gt;&quot;d&#39;\u{FFFD}")
        XCTAssertEqual(ParameterScatter.jitter(3), ParameterScatter.jitter(3))
        XCTAssertTrue((0..<100).map(ParameterScatter.jitter).allSatisfy { $0 >= -0.5 && $0 < 0.5 })
        XCTAssertEqual(ColorScale.sequential(0), "#440154")
        XCTAssertEqual(ColorScale.sequential(1), "#fde725")
    }

    func testLogScaleTicks() {
        let scale = ValueScale(covering: [1e-4, 1e-1], log: true)
        XCTAssertEqual(scale.unit(1e-4), 0, accuracy: 1e-12)
        XCTAssertEqual(scale.unit(1e-1), 1, accuracy: 1e-12)
        XCTAssertEqual(scale.unit(1e-2), 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(scale.ticks().map(\.label), ["1e-04", "0.001", "0.01", "0.1"])
        XCTAssertTrue(scale.unit(-1).isNaN)
    }
}
