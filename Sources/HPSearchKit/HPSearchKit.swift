// HPSearchKit: hpsearch as a library, for what a sweep file cannot say. A Swift package registers
// its own model family (a type conforming to `ModelFamily`: its name, its parameter table and
// `build`, from NN's layers) and gets the whole CLI — run, resume, check, train, ensemble,
// distill, status, report, … — under mpirun or alone, with its family usable as `model: NAME`.
//
//     import HPSearchKit
//     HPSearchKit.main(registering: [MyFamily()])
//
// Every rank runs the same binary, so every rank registers the family before it reads the sweep.
// `examples/custom-model/` is such a package; the test suite builds and runs it.
@_exported import HPSearchCLI
@_exported import NN
@_exported import Search
@_exported import TensorCore
@_exported import Training

import Foundation

public enum HPSearchKit {
    /// Registers `families` (after the built-in ones), then runs the command line this process
    /// was started with. A registration error (a name taken, a parameter named like one of the
    /// trainer's) is printed and the process exits with status 2 before anything runs.
    public static func main(registering families: [any ModelFamily]) -> Never {
        for family in families {
            do {
                try ModelFamilies.register(family)
            } catch {
                FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
                exit(2)
            }
        }
        HPSearch.main()
        exit(0)
    }
}
