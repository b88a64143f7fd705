# `make help`: lists the documented targets of the Makefiles given as arguments.
#
# A target is documented by `name: prerequisites ## description` and belongs to the last
# `##@ Section` line above it. Sections merge across files (a fragment in make/ can add targets
# to Development, say) and print in the order below; a section not listed there comes last.
# Run with -v colour=1 for ANSI colours.

BEGIN {
    known = split("Development;Tests and code quality;Docs;Release;Docker images;" \
                  "Bare-metal production;Docker Swarm;Cleanup", order, ";")
    for (i = 1; i <= known; i++) rank[order[i]] = i
    if (colour) { bold = "\033[1m"; cyan = "\033[36m"; reset = "\033[0m" }
}

FNR == 1 { section = "Other" }

/^##@ / {
    section = substr($0, 5)
    next
}

/^[a-z0-9][a-zA-Z0-9_.-]*:[^=]*## / {
    name = substr($0, 1, index($0, ":") - 1)
    description = substr($0, index($0, "## ") + 3)
    if (!(section in count)) {
        sections[++nsections] = section
        count[section] = 0
    }
    lines[section, ++count[section]] = sprintf("  %s%-20s%s %s", cyan, name, reset, description)
}

END {
    printf "Usage: make %s<target>%s [LOCAL=1] [ARGS=...]\n", cyan, reset
    printf "Python commands run in the django container; LOCAL=1 runs them on this machine with uv.\n"
    for (i = 1; i <= known; i++) print_section(order[i])
    for (i = 1; i <= nsections; i++) if (!(sections[i] in rank)) print_section(sections[i])
}

function print_section(name,    i) {
    if (!(name in count)) return
    printf "\n%s%s%s\n", bold, name, reset
    for (i = 1; i <= count[name]; i++) print lines[name, i]
}
