"""Fail when a CI test run skipped a test or ran none (JUnit XML files from pytest)."""

import sys
import xml.etree.ElementTree as ET


def main(paths: list[str]) -> int:
    failed = False
    for path in paths:
        suites = ET.parse(path).getroot().iter("testsuite")
        tests = skipped = 0
        for suite in suites:
            tests += int(suite.get("tests", 0))
            skipped += int(suite.get("skipped", 0))
        print(f"{path}: {tests} tests, {skipped} skipped")
        if tests == 0 or skipped:
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
