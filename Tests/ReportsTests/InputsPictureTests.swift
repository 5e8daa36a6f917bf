// check/inputs.png decodes back to the batch the model got, pixel for pixel through the
// documented mapping; tables give a heat map and a well-formed distributions.svg.
import Datasets
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Reports
import TensorCore
@testable import Training
import XCTest

final class InputsPictureTests: XCTestCase {
    /// The documented mapping, written out independently of `PNGWriter.bytes`.
    func grey(_ v: Float, _ low: Float, _ high: Float) -> UInt8 {
        guard v.isFinite else { return 0 }
        let span = high > low ? high - low : 1
        return UInt8(max(0, min(255, ((v - low) / span * 255).rounded())))
    }

    /// Random images of `shape`, standardised as PreparedData does.
    func images(_ shape: [Int], count: Int, seed: UInt64) -> PreparedData {
        var rng = RNG(seed: seed)
        let d = shape.reduce(1, *)
        func split(_ n: Int) -> Dataset {
            Dataset(features: (0..<(n * d)).map { _ in Float(rng.int(below: 256)) / 255 }, labels: (0..<n).map { $0 % 3 },
                    featureCount: d, classCount: 3, imageShape: shape)
        }
        var data = PreparedData(train: split(count), validation: split(12), test: split(12))
        data.normalise()
        return data
    }

    func testTheImagePictureDecodesToTheFirstTrainingBatch() throws {
        for shape in [[8, 7, 1], [6, 5, 3], [5, 4, 2]] {
            let data = images(shape, count: 90, seed: UInt64(shape[2]))
            var config = TrainingConfig(model: .cnn)
            config.batchSize = 80
            config.augment = .flipShift
            let batch = Trainer.firstBatch(config: config, data: data, seed: 5)
            let picture = InputsPicture(values: batch.values, count: batch.count, featureCount: batch.featureCount, imageShape: batch.imageShape,
                                        labels: batch.labels, labelText: batch.labels.map(String.init), classNames: data.classNames,
                                        indices: batch.indices)
            let s = picture.sidecar
            let low = batch.values.min()!, high = batch.values.max()!
            XCTAssertEqual([s.low, s.high], [Double(low), Double(high)], "\(shape)")
            XCTAssertEqual(s.kind, "image")
            XCTAssertEqual(s.shape, [80, shape.reduce(1, *)])
            XCTAssertEqual(s.examplesShown, InputsPicture.maxExamples, "at most 64 of the batch's 80")
            XCTAssertEqual(s.indices, Array(batch.indices.prefix(64)))
            XCTAssertEqual(s.labels, Array(batch.labels.prefix(64)))
            let img = try decode(picture.png)
            let (h, w, c) = (shape[0], shape[1], shape[2])
            XCTAssertEqual(img.channels, c == 3 ? 3 : 1, "\(shape)")
            XCTAssertEqual(s.colour, c == 3 ? "rgb" : "grey")
            var checked = 0
            for k in 0..<s.examplesShown {
                let x0 = s.gap + (k % s.columns) * (s.tileWidth + s.gap), y0 = s.gap + (k / s.columns) * (s.tileHeight + s.gap)
                for y in 0..<h { for x in 0..<w { for ch in 0..<c {
                    let v = batch.values[k * h * w * c + (y * w + x) * c + ch]
                    let offset = c == 1 || c == 3 ? 0 : ch * (w + 1)
                    for (dy, dx) in [(0, 0), (s.scale - 1, s.scale - 1)] {
                        let px = x0 + (x + offset) * s.scale + dx, py = y0 + y * s.scale + dy
                        let got = img.pixels[(py * img.width + px) * img.channels + (c == 3 ? ch : 0)]
                        XCTAssertEqual(got, grey(v, low, high), "\(shape) example \(k) pixel (\(y), \(x), \(ch))")
                        checked += 1
                    }
                } } }
                // The label's glyph is drawn in black under the image.
                let strip = (y0 + h * s.scale)..<(y0 + s.tileHeight)
                XCTAssertTrue(strip.contains { py in (x0..<(x0 + 3 * s.scale)).contains { img.pixels[(py * img.width + $0) * img.channels] == 0 } },
                              "\(shape) example \(k) has its label")
            }
            XCTAssertEqual(checked, 64 * h * w * c * 2)
            let json = try JSONSerialization.jsonObject(with: picture.sidecarJSON()) as? [String: Any]
            for key in ["shape", "image_shape", "low", "high", "labels", "class_names", "indices", "scale", "columns", "gap", "tile_width", "tile_height", "mapping"] {
                XCTAssertNotNil(json?[key], key)
            }
        }
    }

    func testATableBecomesAHeatMapAndDistributions() throws {
        let n = 20, d = 40
        var rng = RNG(seed: 3)
        let values = (0..<(n * d)).map { _ in rng.normal() }
        let labels = (0..<n).map { $0 % 4 }
        let picture = InputsPicture(values: values, count: n, featureCount: d, imageShape: nil, labels: labels,
                                    labelText: labels.map(String.init), classNames: ["a", "b", "c", "d"], indices: Array(0..<n))
        let s = picture.sidecar
        XCTAssertEqual(s.kind, "table")
        XCTAssertNil(s.imageShape)
        XCTAssertEqual([s.examplesShown, s.featuresShown], [n, d])
        let img = try decode(picture.png)
        let low = values.min()!, high = values.max()!
        for k in 0..<n {
            for j in 0..<d {
                let px = s.gap + j * s.cellWidth + s.cellWidth / 2, py = s.gap + k * s.cellHeight + s.cellHeight / 2
                XCTAssertEqual(img.pixels[py * img.width + px], grey(values[k * d + j], low, high), "row \(k) feature \(j)")
            }
            let labelX = s.gap + d * s.cellWidth + 2 * s.gap
            XCTAssertTrue((0..<s.cellHeight).contains { dy in (labelX..<(labelX + 3)).contains { img.pixels[(s.gap + k * s.cellHeight + dy) * img.width + $0] == 0 } },
                          "row \(k) has its label")
        }

        let split = { (name: String, rows: Int) in
            FeatureDistributions.Split(name: name, features: Array(values.prefix(rows * d)), labels: Array(labels.prefix(rows)))
        }
        let svg = FeatureDistributions.svg(featureNames: (0..<d).map { "f<\($0)>&" }, featureCount: d,
                                           splits: [split("train", 20), split("validation", 8), split("test", 4)], classNames: ["a", "b", "c", "d"], targetName: nil)
        let parsed = try Self.elements(svg)
        XCTAssertEqual(parsed.first?.name, "svg")
        XCTAssertEqual(parsed.filter { $0.name == "g" && $0.attributes["class"] == "feature" }.count, FeatureDistributions.maxFeatures)
        XCTAssertEqual(parsed.filter { $0.name == "g" && $0.attributes["class"] == "labels" }.count, 1)
        XCTAssertTrue(svg.contains("the first 32 of 40 features"))
        XCTAssertTrue(svg.contains("f&lt;0&gt;&amp;"), "feature names escaped")
        XCTAssertNotNil(ReportInput.inlineableSVG(svg))

        let regression = FeatureDistributions.svg(featureNames: [], featureCount: 2, splits: [FeatureDistributions.Split(name: "train", features: [1, 2, 3, 4], labels: [], targets: [10, 20])],
                                                  classNames: [], targetName: "price")
        let r = try Self.elements(regression)
        XCTAssertEqual(r.filter { $0.name == "g" && $0.attributes["class"] == "feature" }.count, 2)
        XCTAssertTrue(regression.contains("target price"))
    }

    struct Element { var name: String; var attributes: [String: String] }

    /// The elements of `text` in document order; throws unless it is well-formed XML.
    static func elements(_ text: String) throws -> [Element] {
        final class Collector: NSObject, XMLParserDelegate {
            var all: [Element] = []
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
                all.append(Element(name: name, attributes: attributes))
            }
        }
        let parser = XMLParser(data: Data(text.utf8))
        let collector = Collector()
        parser.delegate = collector
        guard parser.parse() else { throw parser.parserError ?? NSError(domain: "XML", code: 1) }
        return collector.all
    }
}
