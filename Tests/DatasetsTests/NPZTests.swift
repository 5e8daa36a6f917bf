import Foundation
import TestSupport
import XCTest
@testable import Datasets

final class NPZTests: XCTestCase {
    func members() throws -> [(name: String, bytes: [UInt8])] {
        [("x.npy", NPY.encode(try NPY.array((0..<12).map(Double.init), shape: [3, 4], dtype: "<f4"))),
         ("y.npy", NPY.encode(try NPY.array([1, 0, 1], shape: [3], dtype: "<i8")))]
    }

    func testStoredAndDeflatedArchivesReadAlike() throws {
        for deflate in [false, true] {
            let archive = try NPZArchive(bytes: NPZArchive.archive(try members(), deflate: deflate), path: "d.npz")
            XCTAssertEqual(archive.keys, ["x", "y"])
            XCTAssertEqual(archive.members.map(\.method), deflate ? [8, 8] : [0, 0])
            XCTAssertEqual(try archive.array("x").shape, [3, 4])
            XCTAssertEqual(try archive.array("x").floats(), (0..<12).map(Float.init))
            XCTAssertEqual(try archive.array("y").integer(at: 0), 1)
            XCTAssertTrue(archive.contains("y"))
            XCTAssertFalse(archive.contains("test_x"))
        }
    }

    func testAMissingMemberListsTheMembersFound() throws {
        let archive = try NPZArchive(bytes: NPZArchive.archive(try members(), deflate: true), path: "d.npz")
        XCTAssertThrowsError(try archive.array("test_x")) { error in
            XCTAssertEqual(error as? DatasetError, .missingMember(path: "d.npz", member: "test_x", found: ["x", "y"]))
            XCTAssertTrue("\(error)".contains("it has: x, y"), "\(error)")
        }
    }

    func testDamagedArchivesAreTypedErrors() throws {
        let bytes = NPZArchive.archive(try members(), deflate: true)
        XCTAssertThrowsError(try NPZArchive(bytes: Array(bytes.prefix(bytes.count / 2)), path: "cut.npz")) { error in
            guard case DatasetError.truncated(let p, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(p, "cut.npz")
        }
        XCTAssertThrowsError(try NPZArchive(bytes: Array("not a zip file at all, just text".utf8), path: "t.npz")) { error in
            guard case DatasetError.corrupt = error else { return XCTFail("\(error)") }
        }
        // A flipped byte inside the first member's data fails its CRC (or its inflation).
        var flipped = bytes
        flipped[40] ^= 0xFF
        let archive = try NPZArchive(bytes: flipped, path: "f.npz")
        XCTAssertThrowsError(try archive.array("x")) { error in
            guard case DatasetError.corrupt = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try NPZArchive(path: "/nonexistent/d.npz")) { error in
            guard case DatasetError.missingFile = error else { return XCTFail("\(error)") }
        }
    }
}
