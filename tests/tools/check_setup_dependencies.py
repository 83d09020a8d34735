#!/usr/bin/env python3
"""Checks that fpt's set-up installs everything the build, the tests and the programs use.

A package installed by hand makes CI green and a new user's set-up fail. This check makes that
mistake visible on the machine where it is made: every file and program below must belong to a
Debian package that scripts/debian-packages.txt lists, that one of those pulls in (Depends,
Pre-Depends, recursively, over the installed packages), or that every Debian machine has
(the Essential packages and apt: what `mmdebstrap --variant=minbase` installs).

What is checked, and against which section of the list:
  [quickstart]  - every FILEPATH / PATH value in the build's CMakeCache.txt that is a file (what
                  find_package, find_library, find_path and find_program resolved), and the
                  *Config.cmake / *-config.cmake files of every <Package>_DIR;
                - every header the build's compilations read (`ninja -t deps`);
                - every library its link lines name (absolute paths and -l flags);
                - every program fpt's sources and set-up scripts call.
  [quickstart] + [test]
                - every program the tests, benchmarks, cluster scripts and CI call.

Programs are found by reading the scripts: the command words of shell scripts (heredocs and
comments skipped) and string literals of C++ and Python sources that name a program installed in
/usr/bin, /usr/sbin, /bin or /sbin. A program outside those directories (the CUDA toolkit's nvcc,
a venv's python) is not a Debian package's and is not checked.

Exit 0 when everything is covered; exit 1 listing, per missing package, what needs it and the
section to add it to.

  tests/tools/check_setup_dependencies.py --source REPO --build BUILD [--packages LIST]
"""

import argparse
import collections
import glob
import os
import re
import shlex
import subprocess
import sys

STANDARD_PROGRAM_DIRS = ["/usr/bin", "/usr/sbin", "/bin", "/sbin"]

# Files whose programs are not the project's to install, with why.
NOT_SCANNED = {
    # this checker: its documentation quotes program calls as examples
    "tests/tools/check_setup_dependencies.py",
}

# Where the programs that each section must cover are called from (paths relative to the repo).
QUICKSTART_SCOPE = ["src/", "scripts/", "cmake/", "CMakeLists.txt"]
TEST_ONLY_SCOPE = ["scripts/local_slurm.sh", "scripts/test.sh", "scripts/fresh_machine_check.sh",
                   "tests/", "bench/", "cluster/", "launcher/", ".ci/"]

# Shell words after which the next word is again a command.
COMMAND_PREFIXES = {"exec", "command", "time", "nohup", "setsid", "sudo", "then", "do", "else",
                    "elif", "if", "while", "until", "!", "{", "(", "xargs", "env", "nice",
                    "stdbuf", "eval"}
# Shell keywords and builtins: never programs.
SHELL_WORDS = {"if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case",
               "esac", "in", "function", "select", "return", "local", "export", "readonly",
               "declare", "typeset", "unset", "shift", "set", "source", ".", "trap", "wait",
               "break", "continue", "exit", "cd", "pushd", "popd", "read", "mapfile",
               "readarray", "printf", "echo", "true", "false", "test", "[", "[[", "]]", "let",
               "eval", "exec", "command", "builtin", "type", "hash", "kill", "jobs", "fg", "bg",
               "disown", "ulimit", "umask", "alias", "unalias", "getopts", "shopt", "caller",
               "pwd", "times", "enable", "help", "logout", "coproc", "time", "{", "}", "!"}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", required=True, help="the repository")
    parser.add_argument("--build", required=True, help="a configured and built build directory")
    parser.add_argument("--packages", help="the package list (default: "
                        "SOURCE/scripts/debian-packages.txt)")
    parser.add_argument("--verbose", action="store_true", help="also list what was checked")
    return parser.parse_args()


# --- the package list ----------------------------------------------------------------------------

def read_package_list(path):
    """{section: [package, ...]} of scripts/debian-packages.txt."""
    sections = collections.OrderedDict()
    section = None
    with open(path) as handle:
        for number, line in enumerate(handle, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith("["):
                section = line.strip("[]")
                sections.setdefault(section, [])
                continue
            if section is None:
                sys.exit(f"{path}:{number}: package '{line}' before any [section]")
            sections[section].append(line.split()[0])
    for needed in ("quickstart", "test"):
        if needed not in sections:
            sys.exit(f"{path}: no [{needed}] section")
    return sections


# --- Debian's package database --------------------------------------------------------------------

def read_dpkg_status(path="/var/lib/dpkg/status"):
    """Installed packages: {name: fields}, and {virtual name: [providers]}."""
    installed, provides = {}, collections.defaultdict(list)
    with open(path, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    for stanza in text.split("\n\n"):
        fields, key = {}, None
        for line in stanza.splitlines():
            if line.startswith((" ", "\t")) and key:
                fields[key] += " " + line.strip()
            elif ":" in line:
                key, value = line.split(":", 1)
                fields[key] = value.strip()
        if "Package" not in fields or "install ok installed" not in fields.get("Status", ""):
            continue
        name = fields["Package"]
        installed[name] = fields
        for entry in split_relation_field(fields.get("Provides", "")):
            for alternative in entry:
                provides[alternative].append(name)
    return installed, provides


def split_relation_field(value):
    """'a (>= 1) | b:any, c' -> [['a', 'b'], ['c']]."""
    groups = []
    for group in value.split(","):
        names = []
        for alternative in group.split("|"):
            alternative = re.sub(r"\(.*?\)|\[.*?\]|<.*?>", "", alternative).strip()
            if alternative:
                names.append(alternative.split(":")[0])
        if names:
            groups.append(names)
    return groups


def dependency_closure(roots, installed, provides):
    """The installed packages that `roots` pull in through Depends and Pre-Depends."""
    closure, queue = set(), [root for root in roots if root in installed]
    while queue:
        name = queue.pop()
        if name in closure:
            continue
        closure.add(name)
        fields = installed[name]
        for field in ("Depends", "Pre-Depends"):
            for group in split_relation_field(fields.get(field, "")):
                # apt satisfies a group with one alternative: the first one installed here (a
                # real package, else the installed providers of a virtual one)
                for alternative in group:
                    chosen = [alternative] if alternative in installed else \
                        [p for p in provides.get(alternative, []) if p in installed]
                    if chosen:
                        queue.extend(chosen)
                        break
    return closure


def base_packages(installed):
    """What every Debian machine has: the Essential packages and apt (`mmdebstrap
    --variant=minbase`, the root scripts/fresh_machine_check.sh builds)."""
    return {name for name, fields in installed.items()
            if fields.get("Essential") == "yes" or name == "apt"}


def file_owners():
    """{path: {package, ...}} from dpkg's file lists."""
    owners = collections.defaultdict(set)
    for listing in glob.glob("/var/lib/dpkg/info/*.list"):
        package = os.path.basename(listing)[:-len(".list")].split(":")[0]
        with open(listing, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                owners[line.rstrip("\n")].add(package)
    return owners


def path_aliases(path):
    """The names dpkg may list a file under on a merged-/usr system (/bin/x is /usr/bin/x)."""
    aliases = {path, os.path.normpath(path)}
    for short, long in (("/bin/", "/usr/bin/"), ("/sbin/", "/usr/sbin/"), ("/lib/", "/usr/lib/"),
                        ("/lib64/", "/usr/lib64/"), ("/lib32/", "/usr/lib32/")):
        for alias in list(aliases):
            if alias.startswith(short):
                aliases.add(long + alias[len(short):])
            elif alias.startswith(long):
                aliases.add(short + alias[len(long):])
    return aliases


def owners_along_symlinks(path, owners):
    """The packages owning `path` and each file its symlink chain passes through (an alternatives
    link in /etc/alternatives belongs to no package and is skipped)."""
    found, seen = set(), set()
    current = path
    for _ in range(16):
        if current in seen:
            break
        seen.add(current)
        directory = os.path.realpath(os.path.dirname(current))
        for candidate in path_aliases(current) | path_aliases(
                os.path.join(directory, os.path.basename(current))):
            found |= owners.get(candidate, set())
        if not os.path.islink(current):
            break
        target = os.readlink(current)
        current = os.path.normpath(os.path.join(os.path.dirname(current), target))
    return found


# --- what the build resolved ----------------------------------------------------------------------

def is_outside(path, excluded_roots):
    real = os.path.realpath(path)
    return not any(real == root or real.startswith(root + os.sep) for root in excluded_roots)


def cmake_cache_files(build):
    """(path, where) for every file a find_* call resolved, and the config files of *_DIR."""
    cache = os.path.join(build, "CMakeCache.txt")
    if not os.path.isfile(cache):
        sys.exit(f"{cache}: no CMake cache; configure the build first (scripts/setup.sh)")
    found = []
    with open(cache, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            match = re.match(r"^([A-Za-z0-9_.+-]+):(FILEPATH|PATH|STRING)=(.*)$", line.rstrip("\n"))
            if not match:
                continue
            key, kind, value = match.groups()
            for item in value.split(";"):
                if not item.startswith("/"):
                    continue
                if kind != "STRING" and os.path.isfile(item):
                    found.append((item, f"CMakeCache.txt: {key}"))
                elif key.endswith("_DIR") and os.path.isdir(item):
                    for config in sorted(glob.glob(os.path.join(item, "*Config.cmake")) +
                                         glob.glob(os.path.join(item, "*-config.cmake"))):
                        found.append((config, f"CMakeCache.txt: {key}"))
    return found


def ninja(build, *arguments):
    return subprocess.run(["ninja", "-C", build, *arguments], check=True, capture_output=True,
                          text=True).stdout


def compiled_headers(build):
    """(header, object that read it) from ninja's dependency log."""
    found, current = [], None
    for line in ninja(build, "-t", "deps").splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            current = line.split(":", 1)[0]
            continue
        path = line.strip()
        if path.startswith("/"):
            found.append((path, f"read by {current}"))
    return found


def linked_libraries(build):
    """(library, target) for the absolute library paths and -l flags of link commands."""
    found, by_name = [], {}
    for command in ninja(build, "-t", "commands").splitlines():
        try:
            words = shlex.split(command)
        except ValueError:
            continue
        output = words[words.index("-o") + 1] if "-o" in words[:-1] else "?"
        for word in words:
            if word.startswith("-l") and len(word) > 2 and re.match(r"^[A-Za-z0-9_+.-]+$", word[2:]):
                name = word[2:]
                if name not in by_name:
                    result = subprocess.run(["cc", f"-print-file-name=lib{name}.so"],
                                            capture_output=True, text=True)
                    by_name[name] = result.stdout.strip()
                if by_name[name].startswith("/") and os.path.exists(by_name[name]):
                    found.append((by_name[name], f"-l{name} linking {output}"))
            elif word.startswith("/") and re.search(r"\.(so(\.[0-9]+)*|a)$", word):
                found.append((word, f"linking {output}"))
    return found


# --- the programs that scripts and sources call ---------------------------------------------------

def installed_program(name):
    """The path of `name` in Debian's program directories, or None."""
    if not re.match(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$", name):
        return None
    for directory in STANDARD_PROGRAM_DIRS:
        path = os.path.join(directory, name)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def strip_shell_comment(line):
    quote, escaped = None, False
    for index, character in enumerate(line):
        if escaped:
            escaped = False
            continue
        if character == "\\":
            escaped = True
        elif quote:
            if character == quote:
                quote = None
        elif character in "'\"":
            quote = character
        elif character == "#" and (index == 0 or line[index - 1] in " \t;|&("):
            return line[:index]
    return line


def shell_command_words(text):
    """(line number, command word) of a shell script: the first word of each simple command,
    words after command prefixes (exec, timeout 10, env A=b, ...) and the argument of
    `command -v`; heredoc bodies (embedded Python, generated files) skipped."""
    words, lines = [], text.split("\n")
    index, heredoc_end = 0, None
    while index < len(lines):
        number, line = index + 1, lines[index]
        index += 1
        if heredoc_end is not None:
            if line.strip() == heredoc_end:
                heredoc_end = None
            continue
        while line.endswith("\\") and index < len(lines):
            line = line[:-1] + " " + lines[index]
            index += 1
        line = strip_shell_comment(line)
        heredoc = re.search(r"<<-?\s*['\"]?([A-Za-z_][A-Za-z0-9_]*)['\"]?", line)
        if heredoc:
            heredoc_end = heredoc.group(1)
        # Command boundaries: ; & | && || ( ) $( ` and the words that start a command.
        for piece in re.split(r"\$\(|`|&&|\|\||[;&|()]", line):
            tokens = piece.split()
            position = 0
            while position < len(tokens):
                token = tokens[position]
                if re.match(r"^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=", token):  # VAR=value
                    position += 1
                    continue
                if token in ("timeout",):
                    words.append((number, token))
                    position += 1
                    while position < len(tokens) and tokens[position].startswith("-"):
                        position += 1
                    position += 1  # the duration
                    continue
                if token == "command" and position + 1 < len(tokens) and tokens[position + 1] == "-v":
                    words.extend((number, name) for name in tokens[position + 2:])
                    break
                if token in COMMAND_PREFIXES:
                    if token not in SHELL_WORDS:
                        words.append((number, token))
                    position += 1
                    while position < len(tokens) and tokens[position].startswith("-"):
                        position += 1
                    continue
                words.append((number, token.strip("'\"")))
                break
    return words


# A C++ or Python line that starts a program, or names the program a later call starts.
CALL_CONTEXT = re.compile(r"popen|exec[lv]|posix_spawn|system\(|subprocess|Popen|check_output|"
                          r"check_call|\.run\(|which\(|find_executable|program")


def literal_program_words(text):
    """(line number, word) for the string literals of C++ / Python lines that start a program
    (popen, exec*, subprocess, ...) or name one ("gnuplot";  // the program): the literal's first
    word ("h5dump -H ..." -> h5dump)."""
    words = []
    for number, line in enumerate(text.split("\n"), 1):
        if not CALL_CONTEXT.search(line):
            continue
        for literal in re.findall(r"\"([^\"\\]{1,80})\"|'([^'\\]{1,80})'", line):
            literal = literal[0] or literal[1]
            first = literal.split(" ", 1)[0]
            if first:
                words.append((number, first))
    return words


def program_calls(source):
    """{relative file: [(line, program path)]} for the repository's scripts and sources."""
    calls = collections.defaultdict(list)
    listing = subprocess.run(["git", "-C", source, "ls-files", "--cached", "--others",
                              "--exclude-standard"], capture_output=True, text=True)
    if listing.returncode == 0:
        tracked = listing.stdout.split()
    else:  # not a git checkout (an unpacked release): every file outside build directories
        tracked = []
        for directory, subdirectories, files in os.walk(source):
            subdirectories[:] = [d for d in subdirectories
                                 if not d.startswith((".", "build")) and d not in ("results", "data")]
            tracked += [os.path.relpath(os.path.join(directory, f), source) for f in files]
    for relative in tracked:
        if relative in NOT_SCANNED:
            continue
        path = os.path.join(source, relative)
        if not os.path.isfile(path):
            continue
        if relative.startswith("tests/data/") or relative.startswith("tests/fuzz/corpus"):
            continue
        extension = os.path.splitext(relative)[1]
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except (UnicodeDecodeError, OSError):
            continue
        first_line = text.split("\n", 1)[0]
        if extension in (".sh", ".sbatch") or (first_line.startswith("#!") and "sh" in first_line
                                                and extension == ""):
            candidates = shell_command_words(text)
        elif extension in (".cpp", ".h", ".py"):
            candidates = literal_program_words(text)
        else:
            continue
        for number, word in candidates:
            if word in SHELL_WORDS:
                continue
            program = installed_program(word)
            if program:
                calls[relative].append((number, program))
    return calls


def in_scope(relative, scope):
    return any(relative == prefix or relative.startswith(prefix) for prefix in scope)


# --- the check ------------------------------------------------------------------------------------

def main():
    arguments = parse_args()
    source = os.path.realpath(arguments.source)
    build = os.path.realpath(arguments.build)
    package_file = arguments.packages or os.path.join(source, "scripts/debian-packages.txt")
    sections = read_package_list(package_file)

    installed, provides = read_dpkg_status()
    owners = file_owners()
    base = base_packages(installed)
    listed_quickstart = set(sections["quickstart"])
    listed_all = listed_quickstart | set(sections["test"])
    not_installed = sorted(p for p in listed_all if p not in installed)
    covered = {
        "quickstart": dependency_closure(listed_quickstart | base, installed, provides),
        "test": dependency_closure(listed_all | base, installed, provides),
    }

    # (path, where it is used, section that must cover it)
    uses = []
    excluded = [source, build, os.path.realpath(os.path.expanduser("~")), "/usr/local", "/opt",
                "/tmp", "/var/cache", "/root"]
    outside_debian = set()
    for path, where in cmake_cache_files(build) + compiled_headers(build) + linked_libraries(build):
        if is_outside(path, excluded):
            uses.append((path, where, "quickstart"))
        else:
            outside_debian.add(path)
    for relative, found in program_calls(source).items():
        section = "test" if in_scope(relative, TEST_ONLY_SCOPE) else \
            "quickstart" if in_scope(relative, QUICKSTART_SCOPE) else "test"
        for number, program in found:
            uses.append((program, f"called at {relative}:{number}", section))

    missing = collections.OrderedDict()  # package -> (section, [(path, where)])
    unowned, checked = set(), collections.Counter()
    seen = set()
    for path, where, section in uses:
        key = (path, section)
        packages = owners_along_symlinks(path, owners)
        if not packages:
            unowned.add(path)
            continue
        if arguments.verbose and key not in seen and not where.startswith("read by"):
            print(f"  [{section}] {path} ({' '.join(sorted(packages))}): {where}")
        checked[section] += key not in seen
        seen.add(key)
        if packages & covered[section]:
            continue
        for package in sorted(packages):
            entry = missing.setdefault(package, [section, []])
            if section == "quickstart":
                entry[0] = "quickstart"
            if len(entry[1]) < 3 and (path, where) not in entry[1]:
                entry[1].append((path, where))

    print(f"check_setup_dependencies: {package_file}: {len(listed_quickstart)} [quickstart] and "
          f"{len(sections['test'])} [test] packages; with what they pull in, the Essential "
          f"packages and apt: {len(covered['quickstart'])} / {len(covered['test'])} installed packages")
    print(f"checked {checked['quickstart']} files and programs of the build and fpt's programs, "
          f"{checked['test']} programs of the tests; {len(outside_debian)} files of LibTorch, the "
          f"CUDA toolkit or the repository and {len(unowned)} others belong to no Debian package "
          "and are not checked")
    if arguments.verbose:
        for path in sorted(unowned):
            print(f"  not a Debian package's: {path}")
    if not_installed:
        print(f"warning: listed but not installed here: {' '.join(not_installed)}")
    if not missing:
        print("OK: every one comes from a package that the set-up installs")
        return 0
    print(f"\nFAILED: {len(missing)} Debian packages are used but not installed by scripts/setup.sh:")
    for package, (section, examples) in missing.items():
        shown = os.path.relpath(package_file, source) if package_file.startswith(source + "/") \
            else package_file
        print(f"\n  {package}: add it to [{section}] in {shown}"
              " (or stop using it); used for")
        for path, where in examples:
            print(f"    {path}  ({where})")
    return 1


if __name__ == "__main__":
    sys.exit(main())
