// The report's model sections from hand-made values: "Where the model fails" (confusion
// matrices, the most confidently wrong examples, regression's largest errors), "First layer"
// (filters found in checkpoint tensors) and "Baselines to beat" (check.json against the sweep's
// models), and that the page stays well-formed and self-contained with pictures in it.
import Foundation
@testable import Reports
import Search
import Storage
import XCTest

final class ModelSectionsTests: XCTestCase {
    /// Six rows of three classes on 2×2 greyscale "images"; the model's probabilities per row.
    static let labels = [0, 0, 1, 1, 2, 2]
    static let probabilities: [Float] = [
        0.8, 0.1, 0.1,   // 0 → 0
        0.2, 0.7, 0.1,   // 0 → 1 (wrong, 0.7)
        0.1, 0.8, 0.1,   // 1 → 1
        0.05, 0.05, 0.9, // 1 → 2 (wrong, 0.9)
        0.7, 0.2, 0.1,   // 2 → 0 (wrong, 0.7: tie with row 1, so after it)
        0.1, 0.1, 0.8,   // 2 → 2
    ]
    static func view(_ models: [ValidationView.Model]? = nil) -> ValidationView {
        ValidationView(classNames: ["cat <a>", "dog", "emu"], labels: labels,
                       features: (0..<24).map { Float($0 % 4) / 3 }, featureCount: 4, imageShape: [2, 2, 1], pixelRange: 0...1,
                       featureNote: "pixels as loaded", models: models ?? [.init(name: "best trial 6", outputs: probabilities)])
    }

    func page(_ insight: ModelInsight?, checkText: String? = nil) -> String {
        var input = ReportFixture.input
        input.insight = insight
        input.checkText = checkText
        return HTMLReport.render(input, generatedAt: Date(timeIntervalSince1970: 1_760_003_600))
    }

    func testConfusionMatrixCountsAHandMadeCase() throws {
        let v = Self.view()
        XCTAssertEqual(v.confusion(v.models[0]), [[1, 1, 0], [0, 1, 1], [1, 0, 1]])
        let doc = try Elements.parse(page(ModelInsight(validation: v)))
        let cells = doc.all.filter { $0.name == "rect" && $0.attributes["class"] == "cell" }
        XCTAssertEqual(cells.count, 9)
        for c in cells {
            let i = try XCTUnwrap(c.attributes["data-true"].flatMap(Int.init)), j = try XCTUnwrap(c.attributes["data-predicted"].flatMap(Int.init))
            XCTAssertEqual(c.attributes["data-count"].flatMap(Int.init), v.confusion(v.models[0])[i][j], "cell \(i),\(j)")
        }
        XCTAssertTrue(doc.all.contains { $0.name == "h2" && $0.text == "Where the model fails" })
        XCTAssertTrue(doc.all.contains { $0.name == "text" && $0.text == "cat <a>" }, "class names, escaped")
    }

    func testMostConfidentlyWrongFirstAndPicturesInThatOrder() throws {
        let v = Self.view()
        let misses = v.confidentlyWrong(v.models[0])
        XCTAssertEqual(misses.map(\.row), [3, 1, 4], "0.9 first, then the two 0.7s by row")
        XCTAssertEqual(misses.map(\.predicted), [2, 1, 0])
        XCTAssertEqual(misses[0].score, 0.9, accuracy: 1e-6)
        XCTAssertEqual(v.confidentlyWrong(v.models[0], limit: 2).map(\.row), [3, 1])
        let html = page(ModelInsight(validation: v))
        let doc = try Elements.parse(html)
        let figures = doc.all.filter { $0.name == "figure" }
        XCTAssertEqual(figures.map { $0.attributes["data-row"] }, ["3", "1", "4"])
        XCTAssertTrue(figures[0].text.contains("true dog") && figures[0].text.contains("predicted emu 0.9"), figures[0].text)
        // Each picture is a PNG of the image, black…white over the pixel range, drawn larger (at
        // least 56 pixels: 28 times for a 2×2 image).
        let img = try XCTUnwrap(doc.all.first { $0.name == "img" })
        XCTAssertEqual([img.attributes["width"], img.attributes["height"]], ["56", "56"])
        let png = try decode(try XCTUnwrap(img.attributes["src"]))
        XCTAssertEqual([png.width, png.height, png.channels], [2, 2, 1])
        XCTAssertEqual(png.pixels, [0, 85, 170, 255], "row 3's pixels 0, 1/3, 2/3, 1")
        try assertSelfContained(html)
    }

    func testATableRowsFeaturesWhenTheDataAreNotImages() throws {
        var v = Self.view()
        v.imageShape = nil
        v.featureNames = ["age", "colour=red", "x", "y"]
        let doc = try Elements.parse(page(ModelInsight(validation: v)))
        let rows = doc.all.filter { $0.name == "tr" && $0.attributes["class"] == "wrong" }
        XCTAssertEqual(rows.count, 3)
        XCTAssertTrue(rows[0].text.hasPrefix("13dogemu0.9"), rows[0].text)
        XCTAssertFalse(doc.all.contains { $0.name == "img" })
        XCTAssertTrue(doc.all.contains { $0.name == "th" && $0.text == "colour=red" })
    }

    func testTwoModelsGetAMatrixEachAndMismatchedOutputsAreLeftOut() throws {
        let ensemble = ValidationView.Model(name: "greedy ensemble #2 (2 members)", outputs: Self.labels.flatMap { l in (0..<3).map { $0 == l ? Float(1) : 0 } })
        let broken = ValidationView.Model(name: "short", outputs: [1, 0, 0])
        let v = Self.view([.init(name: "best trial 6", outputs: Self.probabilities), ensemble, broken])
        let html = page(ModelInsight(validation: v))
        let doc = try Elements.parse(html)
        XCTAssertEqual(doc.all.filter { $0.name == "svg" && $0.attributes["class"] == "chart confusion" }.count, 2)
        XCTAssertTrue(html.contains("It gets every validation example right."))
        XCTAssertFalse(html.contains(">short<"))
    }

    func testRegressionShowsTheLargestErrorsAndNoConfusionMatrix() throws {
        let v = ValidationView(classNames: [], labels: [], targets: [1, 2, 3, 4], targetNames: ["price"],
                               features: [0.5, 1, 1.5, 2], featureCount: 1, featureNames: ["size"], featureNote: "features as read",
                               models: [.init(name: "best trial 0", outputs: [1.5, 2, 0, 3.5])])
        XCTAssertEqual(v.largestErrors(v.models[0]).map(\.row), [2, 0, 3, 1], "3, then the two 0.5s by row, then 0")
        let html = page(ModelInsight(validation: v))
        let doc = try Elements.parse(html)
        XCTAssertFalse(doc.all.contains { $0.name == "svg" && $0.attributes["class"] == "chart confusion" })
        let rows = doc.all.filter { $0.name == "tr" && $0.attributes["class"] == "error" }
        XCTAssertEqual(rows.first?.text, "1" + "2" + "3" + "0" + "3" + "1.5")
        XCTAssertTrue(html.contains("largest absolute errors"))
    }

    func testSaysWhyWhenTheDataCannotBeLoaded() throws {
        let html = page(ModelInsight(validationNote: "Not shown: the sweep's data could not be loaded (missing /x.csv)"))
        _ = try Elements.parse(html)
        XCTAssertTrue(html.contains("<h2>Where the model fails</h2>\n<p class=\"note\">Not shown: the sweep&#39;s data could not be loaded (missing /x.csv)</p>"))
        XCTAssertFalse(html.contains("<h2>First layer</h2>"), "no image data, no note: the section is left out")
        XCTAssertTrue(page(nil).contains("Not gathered"))
    }

    func testFirstLayerFindsConvFiltersAndDenseUnits() throws {
        // conv [O 2, KH 2, KW 3, C 1]: value = 100·o + 10·y + x.
        var kernel: [Float] = []
        for o in 0..<2 { for y in 0..<2 { for x in 0..<3 { kernel.append(Float(100 * o + 10 * y + x)) } } }
        let conv = FirstLayerView.Tensor(name: "0.weight", shape: [2, 2, 3, 1], data: kernel)
        let tensors = [FirstLayerView.Tensor(name: "buffer:1.running_mean", shape: [2], data: [0, 0]), conv,
                       FirstLayerView.Tensor(name: "0.bias", shape: [2], data: [0, 0])]
        let v = try XCTUnwrap(FirstLayerView.first(of: tensors, imageShape: [5, 5, 1], trial: 6))
        XCTAssertEqual(v.kind, FirstLayerView.Kind.conv2d)
        XCTAssertEqual([v.tileHeight, v.tileWidth, v.tiles.count, v.total], [2, 3, 2, 2])
        XCTAssertEqual(v.tiles[1].values, [100, 101, 102, 110, 111, 112])
        // dense [inputs 2·2·2, units 3] on a 2×2×2 image: value = 10·input + unit.
        var weights: [Float] = []
        for i in 0..<8 { for u in 0..<3 { weights.append(Float(10 * i + u)) } }
        let dense = FirstLayerView.Tensor(name: "1.weight", shape: [8, 3], data: weights)
        let d = try XCTUnwrap(FirstLayerView.first(of: [dense], imageShape: [2, 2, 2], trial: 1, limit: 5))
        XCTAssertEqual(d.kind, FirstLayerView.Kind.dense)
        XCTAssertEqual([d.tiles.count, d.total], [5, 6], "capped")
        XCTAssertEqual(d.tiles[1].values, [10, 30, 50, 70], "unit 0, channel 1: inputs 1, 3, 5, 7")
        XCTAssertEqual(d.tiles[2].unit, 1)
        let table = FirstLayerView.Tensor(name: "0.table", shape: [9, 4], data: [Float](repeating: 0, count: 36))
        XCTAssertNil(FirstLayerView.first(of: [table], imageShape: [3, 3, 1], trial: 0))
        XCTAssertEqual(FirstLayerView.bytes([-2, 0, 1, 2]), [0, 128, 191, 255], "symmetric around 0, per tile")

        let html = page(ModelInsight(firstLayer: v))
        let doc = try Elements.parse(html)
        let img = try XCTUnwrap(doc.all.first { $0.name == "img" && $0.attributes["class"] == "first-layer" })
        XCTAssertEqual(img.attributes["data-tiles"], "2")
        let png = try decode(try XCTUnwrap(img.attributes["src"]))
        // Two 2×3 tiles in one row, 1-pixel gaps around them, drawn 16 times larger.
        XCTAssertEqual([png.width, png.height], [2 * 3 + 3, 2 + 2])
        XCTAssertEqual([img.attributes["width"], img.attributes["height"]], ["144", "64"])
        XCTAssertTrue(html.contains("its own symmetric range around 0"))
        try assertSelfContained(html)
    }

    static let checkJSON = """
        {"passed": true, "checks": [
          {"id": 3, "name": "baseline", "status": "pass", "summary": "", "values": {"real_loss": 0.6, "zeroed_loss": 2.2, "margin": 0.11, "steps": 300}},
          {"id": 8, "name": "baselines", "status": "pass", "summary": "", "values": {"majority_val_accuracy": 0.1, "majority_val_loss": 2.302585,
            "linear_val_loss": 0.45, "linear_val_accuracy": 0.87, "linear_steps": 400, "human_val_accuracy": 0.9}}]}
        """

    func testBaselinesTableMarksWhatEachModelBeats() throws {
        var input = ReportFixture.input
        input.checkText = Self.checkJSON
        let table = BaselineTable(input)
        XCTAssertNil(table.note)
        XCTAssertEqual(table.baselines.map { "\($0.metric) \($0.value)" },
                       ["val_loss 2.2", "val_loss 2.302585", "val_accuracy 0.1", "val_loss 0.45", "val_accuracy 0.87", "val_accuracy 0.9"])
        XCTAssertEqual(table.models.map(\.name), ["best trial 6", "average ensemble #1 (1 member)", "greedy ensemble #2 (2 members)",
                                                  "distilled student #3 (trial 2)"])
        // Best trial 6: val_loss 0.4051, val_accuracy 1 − 0.4051/3 = 0.8650. Greedy ensemble: validation NLL 0.5,
        // accuracy 0.8712. Student: NLL 0.5, accuracy 0.864.
        let expected: [[Bool?]] = [[true, true, true, true, false, false],
                                   [true, true, true, false, false, false],
                                   [true, true, true, false, true, false],
                                   [true, true, true, false, false, false]]
        XCTAssertEqual(table.models.map { m in table.baselines.map { BaselineTable.beats(m, $0) } }, expected)
        let html = HTMLReport.render(input)
        let doc = try Elements.parse(html)
        let rows = doc.all.filter { $0.name == "tr" && $0.attributes["class"] == "model" }
        XCTAssertEqual(rows.count, 4)
        let marks = doc.all.filter { $0.name == "span" && $0.attributes["data-beats"] != nil }.map { $0.attributes["data-beats"] == "true" }
        XCTAssertEqual(marks, expected.flatMap { $0.map { $0! } })
        XCTAssertTrue(html.contains("<h2>Baselines to beat</h2>"))
        XCTAssertLessThan(try XCTUnwrap(html.range(of: "<h2>Ensembles and distillation</h2>")).lowerBound,
                          try XCTUnwrap(html.range(of: "<h2>Baselines to beat</h2>")).lowerBound)
    }

    func testWithoutCheckJSONTheBaselinesSayHowToAddThem() throws {
        let html = page(nil)
        XCTAssertTrue(html.contains("run <code>hpsearch check SWEEP --save RUN_DIR</code>") || html.contains("Run <code>hpsearch check SWEEP --save RUN_DIR</code>"), html)
        XCTAssertTrue(page(nil, checkText: "not json").contains("check.json is not the JSON object"))
        let regression = BaselineTable.baselines(checkText: """
            {"checks": [{"id": 8, "values": {"mean_val_loss": 1, "mean_val_rmse": 3.5, "linear_val_rmse": 2, "linear_val_r2": 0.4}}]}
            """, regression: true).0
        XCTAssertEqual(regression.map(\.metric), ["val_loss", "val_rmse", "val_rmse", "val_r2"])
        XCTAssertEqual(BaselineTable.beats(.init(name: "m", metrics: ["val_r2": 0.5, "val_rmse": 2.5]), regression[3]), true)
        XCTAssertEqual(BaselineTable.beats(.init(name: "m", metrics: ["val_r2": 0.5, "val_rmse": 2.5]), regression[2]), false)
        XCTAssertNil(BaselineTable.beats(.init(name: "m", metrics: ["val_r2": 0.5]), regression[0]))
    }

    // MARK: Helpers

    func decode(_ uri: String) throws -> PNGImage {
        let prefix = "data:image/png;base64,"
        XCTAssertTrue(uri.hasPrefix(prefix))
        let data = try XCTUnwrap(Data(base64Encoded: String(uri.dropFirst(prefix.count))))
        return try PNGImage(bytes: [UInt8](data))
    }

    /// Nothing fetched: images only as PNG data URIs, no other URL than the XML namespaces.
    func assertSelfContained(_ html: String) throws {
        let pattern = try NSRegularExpression(pattern: "<img [^>]*src=\"data:image/png;base64,[A-Za-z0-9+/=]*\"")
        let stripped = pattern.stringByReplacingMatches(in: html, range: NSRange(html.startIndex..., in: html), withTemplate: "<picture")
        XCTAssertFalse(stripped.contains("<img") || stripped.contains("src="), "every picture is an inline PNG")
        let urls = stripped.components(separatedBy: "http").count - 1
        XCTAssertEqual(urls, stripped.components(separatedBy: "http://www.w3.org/").count - 1, "only the namespaces")
    }
}
