// The report's training-health sections: heat maps for the top trials, every trial's flags, and
// the probe's prediction dynamics; the page stays well-formed and one offline file.
import Foundation
import Search
import Storage
import XCTest
@testable import Reports

final class HealthSectionTests: XCTestCase {
    /// Trials 6 and 5 (the two best) healthy, trial 1 with a dead first layer, over their epochs.
    static func health() -> [EpochHealth] {
        var out: [EpochHealth] = []
        for (trial, epochs, dead) in [(6, 5, 0.1), (5, 5, 0.05), (1, 4, 0.9)] {
            for e in 0...epochs {
                let layers = [
                    LayerHealth(layer: 0, name: "dense", activation: "relu", parameters: 100, gradientNorm: 0.5 / Double(e + 1), weightNorm: 4,
                                updateRatio: e == 0 ? .nan : 1e-3, activationMean: 0.3, activationStd: 0.5, deadFraction: dead),
                    LayerHealth(layer: 2, name: "dense", parameters: 30, gradientNorm: 1, weightNorm: 2, updateRatio: e == 0 ? .nan : 2e-3,
                                activationMean: 0, activationStd: 1),
                ]
                // Probe: 6 examples × 3 classes; the true class's probability rises with the epoch.
                let p = Float(e) / Float(epochs + 1)
                let probe = (0..<6).flatMap { k -> [Float] in
                    var row = [Float](repeating: (1 - p) / 2, count: 3)
                    row[ModelSectionsTests.labels[k]] = p
                    return row
                }
                out.append(EpochHealth(trial: trial, epoch: e, loss: 1, layers: layers, outputs: 3, probe: probe))
            }
        }
        return out
    }

    func page(health: [EpochHealth], insight: ModelInsight? = ModelInsight(validation: ModelSectionsTests.view())) -> String {
        var input = ReportFixture.input
        input.health = health
        input.insight = insight
        return HTMLReport.render(input, generatedAt: Date(timeIntervalSince1970: 1_760_003_600))
    }

    func testHeatMapsForTheTopTrialsAndFlagsForAll() throws {
        let html = page(health: Self.health())
        let doc = try Elements.parse(html)
        XCTAssertTrue(html.contains("<h2>Training health</h2>") && html.contains("<h2>Prediction dynamics</h2>"))
        let maps = doc.all.filter { $0.name == "svg" && $0.attributes["class"] == "chart heatmap" }
        XCTAssertEqual(maps.count, 3 * 3, "gradient, update ratio and dead fraction for each of the 3 trials measured")
        XCTAssertTrue(html.contains("<h3>Trial 6</h3>") && html.contains("<h3>Trial 5</h3>"))
        // The flags table: trial 1's dying first layer, and nothing for the healthy ones.
        let flagRows = doc.all.filter { $0.name == "tr" }.map(\.text).filter { $0.contains("dying_relu") }
        XCTAssertEqual(flagRows.count, 1, "\(flagRows)")
        XCTAssertTrue(flagRows[0].hasPrefix("1dying_relu4"), flagRows[0])
        XCTAssertTrue(html.contains("1 × dying_relu over 1 of 3 trials measured"))
        // Each heat map is one PNG: rows = layers, columns = epochs 0…5.
        let image = try XCTUnwrap(maps.first.flatMap { _ in doc.all.first { $0.name == "image" }?.attributes["href"] })
        let bytes = try XCTUnwrap(Data(base64Encoded: String(image.dropFirst("data:image/png;base64,".count))))
        let png = try PNGImage(bytes: [UInt8](bytes))
        XCTAssertEqual([png.width, png.height, png.channels], [6, 2, 3])
        func pixel(_ r: Int, _ c: Int) -> [UInt8] { Array(png.pixels[((r * 6 + c) * 3)..<((r * 6 + c) * 3 + 3)]) }
        XCTAssertEqual(pixel(0, 5), [68, 1, 84], "the smallest gradient norm (first layer, epoch 5: 0.5/6) is viridis' dark end")
        XCTAssertEqual(pixel(1, 0), [253, 231, 37], "the largest (the last layer's 1) is its yellow end")
        // Self-contained: every src/href is a PNG data URI.
        for e in doc.all { for key in ["src", "href"] { if let v = e.attributes[key] { XCTAssertTrue(v.hasPrefix("data:image/png;base64,"), v.prefix(40).description) } } }
    }

    func testPredictionDynamicsDrawTheTrueClassProbabilityOfTheTopThree() throws {
        let html = page(health: Self.health())
        let doc = try Elements.parse(html)
        let multiples = doc.all.filter { $0.name == "svg" && $0.attributes["class"] == "chart small" }
        XCTAssertEqual(multiples.count, 6, "one per probe example the validation view has")
        XCTAssertTrue(multiples[0].text.contains("#0: cat <a>"), multiples[0].text)
        // Three trials have probes; each draws one line per multiple, rising from 0.
        let section = try XCTUnwrap(html.range(of: "<h2>Prediction dynamics</h2>"))
        let lines = try Elements.parse("<div>" + String(html[section.upperBound...].prefix { _ in true }.split(separator: "</section>")[0]) + "</div>").all
            .filter { $0.name == "polyline" }
        XCTAssertEqual(lines.count, 6 * 3)
        XCTAssertEqual(Set(lines.map { $0.attributes["points"]!.split(separator: " ").count }), [5, 6], "epochs 0…4 and 0…5")
        XCTAssertTrue(html.contains("trial 6</span>"))
    }

    func testWithoutHealthOrDataTheSectionsSaySo() throws {
        let none = page(health: [])
        XCTAssertTrue(none.contains("No training health recorded"))
        _ = try Elements.parse(none)
        let noData = page(health: Self.health(), insight: ModelInsight(validation: nil, validationNote: "data.csv has moved"))
        XCTAssertTrue(noData.contains("could not load (data.csv has moved)"), noData)
    }
}
