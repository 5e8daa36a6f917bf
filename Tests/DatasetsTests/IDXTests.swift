import Foundation
import TestSupport
import XCTest
@testable import Datasets

/// Writes small IDX files (plain and gzip) to a temporary directory.
final class IDXTests: XCTestCase {
    var scratch: TemporaryDirectory!
    var dir: URL { scratch.url }

    override func setUpWithError() throws { scratch = try TemporaryDirectory(prefix: "idx") }
    override func tearDown() { scratch = nil }

    static func idx(rank: Int, dims: [Int], payload: [UInt8]) -> [UInt8] {
        var b: [UInt8] = [0, 0, 8, UInt8(rank)]
        for d in dims { b += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)] }
        return b + payload
    }

    func write(_ name: String, _ bytes: [UInt8], gzip: Bool = false) throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        if gzip {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/gzip")
            p.arguments = ["-f", url.path]
            try p.run()
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0)
            return url.path + ".gz"
        }
        return url.path
    }

    /// Three 2×2 images with labels 0, 1, 2.
    func writeSet(prefix: String, gzip: Bool, labelCount: Int = 3) throws {
        let pixels: [UInt8] = [0, 255, 0, 255, 51, 51, 51, 51, 255, 0, 0, 0]
        _ = try write("\(prefix)-images-idx3-ubyte", IDXTests.idx(rank: 3, dims: [3, 2, 2], payload: pixels), gzip: gzip)
        _ = try write("\(prefix)-labels-idx1-ubyte",
                      IDXTests.idx(rank: 1, dims: [labelCount], payload: (0..<labelCount).map { UInt8($0 % 3) }), gzip: gzip)
    }

    func testReadsGzipAndPlainIdentically() throws {
        try writeSet(prefix: "train", gzip: true)
        try writeSet(prefix: "t10k", gzip: false)
        let a = try Dataset.loadIDX(directory: dir.path, split: .train)
        let b = try Dataset.loadIDX(directory: dir.path, split: .test)
        XCTAssertEqual(a.count, 3)
        XCTAssertEqual(a.featureCount, 4)
        XCTAssertEqual(a.imageShape, [2, 2, 1])
        XCTAssertEqual(a.labels, [0, 1, 2])
        XCTAssertEqual(a.features[1], 1.0)
        XCTAssertEqual(a.features[4], 0.2, accuracy: 1e-6)
        XCTAssertEqual(a.features, b.features)
        XCTAssertEqual(a.classCount, 3)
        XCTAssertEqual(a.classCounts, [1, 1, 1])
    }

    func testWrongMagicIsTypedError() throws {
        let path = try write("bad", [0, 0, 9, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 7])
        XCTAssertThrowsError(try IDX.read(path, rank: 3)) { error in
            guard case DatasetError.badMagic(let p, let found, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(p, path)
            XCTAssertEqual(found, 0x0000_0903)
        }
    }

    func testTruncatedPayloadIsTypedError() throws {
        let full = IDXTests.idx(rank: 3, dims: [2, 2, 2], payload: [1, 2, 3, 4, 5, 6, 7, 8])
        let path = try write("short", Array(full.dropLast(3)))
        XCTAssertThrowsError(try IDX.read(path, rank: 3)) { error in
            guard case DatasetError.truncated(let p, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(p, path)
        }
    }

    func testTruncatedGzipIsTypedError() throws {
        let big = IDXTests.idx(rank: 1, dims: [5000], payload: (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7919) })
        let gz = try write("labels", big, gzip: true)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: gz)))
        let cut = dir.appendingPathComponent("cut.gz")
        try Data(bytes.prefix(bytes.count / 2)).write(to: cut)
        XCTAssertThrowsError(try IDX.read(cut.path, rank: 1)) { error in
            guard case DatasetError.truncated(let p, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(p, cut.path)
        }
    }

    func testMissingFileSaysHowToInstall() {
        XCTAssertThrowsError(try IDX.read(dir.appendingPathComponent("nope").path, rank: 1)) { error in
            guard case DatasetError.missingFile = error else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("dataset-fashion-mnist"))
        }
    }

    func testImageLabelCountMismatch() throws {
        try writeSet(prefix: "train", gzip: false, labelCount: 4)
        XCTAssertThrowsError(try Dataset.loadIDX(directory: dir.path, split: .train)) { error in
            guard case DatasetError.countMismatch(_, let ic, _, let lc) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(ic, 3)
            XCTAssertEqual(lc, 4)
        }
    }
}
