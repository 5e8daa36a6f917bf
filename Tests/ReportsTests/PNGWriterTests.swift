// PNGWriter: files our own decoder (and so any PNG reader) reads back pixel for pixel.
import Foundation
import XCTest
@testable import Reports

final class PNGWriterTests: XCTestCase {
    func testGreyAndRGBImagesDecodeToTheSamePixels() throws {
        var rng = SystemRandomNumberGenerator()
        let grey = PNGWriter(width: 7, height: 5, pixels: (0..<35).map { _ in UInt8.random(in: 0...255, using: &rng) })
        let g = try decode(grey)
        XCTAssertEqual([g.width, g.height, g.channels], [7, 5, 1])
        XCTAssertEqual(g.pixels, grey.pixels)
        let rgb = PNGWriter(width: 3, height: 4, colour: .rgb, pixels: (0..<36).map { UInt8($0 * 7) })
        let c = try decode(rgb)
        XCTAssertEqual([c.width, c.height, c.channels], [3, 4, 3])
        XCTAssertEqual(c.pixels, rgb.pixels)
        XCTAssertTrue(rgb.dataURI().hasPrefix("data:image/png;base64,iVBORw0KGgo"))
    }

    func testGridPlacesScaledTilesWithGaps() throws {
        let a: [UInt8] = [0, 10, 20, 30], b: [UInt8] = [40, 50, 60, 70]
        let png = PNGWriter.grid(tiles: [a, b, a], tileWidth: 2, tileHeight: 2, columns: 2, scale: 2, gap: 1, background: 255)
        XCTAssertEqual([png.width, png.height], [2 * 4 + 3, 2 * 4 + 3])
        let img = try decode(png)
        func at(_ x: Int, _ y: Int) -> UInt8 { img.pixels[y * img.width + x] }
        XCTAssertEqual(at(0, 0), 255)
        XCTAssertEqual([at(1, 1), at(2, 1), at(3, 1), at(4, 2), at(1, 3)], [0, 0, 10, 10, 20])
        XCTAssertEqual(at(6, 1), 40)       // second tile, first column
        XCTAssertEqual(at(1, 6), 0)        // third tile, second row
        XCTAssertEqual(at(6, 6), 255)      // no fourth tile: background
        XCTAssertEqual(PNGWriter.bytes([-1, 0, 0.5, 1, 2, .nan], low: 0, high: 1), [0, 0, 128, 255, 255, 0])
    }
}
