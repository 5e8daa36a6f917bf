// hpsearch: the command-line entry point (the commands are HPSearchCLI's).
import HPSearchCLI

HPSearch.main()
