"""The pytest plugin: fixtures and the report added to a failing test's output."""


def test_a_failing_test_shows_the_session_report(pytester):
    pytester.makepyfile(
        """
        import urllib.request

        def test_inner(recotap_mock):
            request = urllib.request.Request(
                recotap_mock.base_url + "/accounts", data=b"{}", method="POST",
                headers={"X-Api-Key": recotap_mock.api_key, "Content-Type": "application/json"})
            try:
                urllib.request.urlopen(request)
            except Exception:
                pass
            assert False, "the integration broke"
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*recotap-mock report*",
            "recotap-mock report: 1 request(s)",
            "*POST /api/v1/accounts → 400 accounts must be an array*",
        ]
    )


def test_a_passing_test_adds_no_report(pytester):
    pytester.makepyfile(
        """
        def test_inner(recotap_mock):
            assert recotap_mock.accounts() == []
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)
    assert "recotap-mock report" not in result.stdout.str()


def test_an_expectation_the_test_left_unmet_fails_its_teardown(pytester):
    pytester.makepyfile(
        """
        def test_inner(recotap_mock):
            recotap_mock.expect(method="POST", path="/api/v1/accounts", times=1)
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*expected POST /api/v1/accounts exactly once, received it 0 times.*"])
