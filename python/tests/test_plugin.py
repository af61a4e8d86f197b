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


def test_a_skipped_test_with_unmet_expectations_is_reported_once_as_skipped(pytester):
    pytester.makepyfile(
        """
        import pytest

        def test_inner(recotap_mock):
            recotap_mock.expect(method="POST", path="/api/v1/accounts", times=1)
            pytest.skip("not today")
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(skipped=1)


def test_an_xfail_test_with_unmet_expectations_is_reported_once_as_xfailed(pytester):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.xfail(reason="a known bug")
        def test_marked(recotap_mock):
            recotap_mock.expect(method="POST", path="/api/v1/accounts", times=1)
            assert False, "the known bug"

        def test_imperative(recotap_mock):
            recotap_mock.expect(method="POST", path="/api/v1/accounts", times=1)
            pytest.xfail("a known bug")
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(xfailed=2)


def test_an_xpass_test_with_unmet_expectations_is_reported_once_as_xpassed(pytester):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.xfail(reason="a bug that may be fixed")
        def test_inner(recotap_mock):
            recotap_mock.expect(method="POST", path="/api/v1/accounts", times=1)
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(xpassed=1)


def test_a_failing_test_with_unmet_expectations_is_reported_once_as_failed(pytester):
    pytester.makepyfile(
        """
        def test_inner(recotap_mock):
            recotap_mock.expect(method="POST", path="/api/v1/accounts", times=1)
            assert False, "the integration broke"
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(failed=1)
    assert "expected POST /api/v1/accounts" not in result.stdout.str()


def test_a_test_that_closes_its_session_with_unmet_expectations_fails_and_never_verifies_the_whole_mock(pytester):
    pytester.makepyfile(
        """
        def test_with_block(recotap_mock):
            recotap_mock.expect(method="GET", path="/segments")
            with recotap_mock:
                pass

        def test_close(recotap_mock):
            recotap_mock.expect(method="GET", path="/segments", times=2)
            recotap_mock.close()
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*expected GET /api/v1/segments*"])


def test_the_server_fixture_takes_its_profile_and_flags_from_the_pytest_configuration(pytester):
    pytester.makeini(
        """
        [pytest]
        recotap_mock_profile = sandbox
        recotap_mock_args = --rate-limit 1
        """
    )
    pytester.makepyfile(
        """
        import json, urllib.error, urllib.request

        def call(mock):
            request = urllib.request.Request(
                mock.base_url + "/accounts", data=b"{}", method="POST",
                headers={"X-Api-Key": mock.api_key, "Content-Type": "application/json"})
            try:
                urllib.request.urlopen(request)
            except urllib.error.HTTPError as error:
                return error.code, json.loads(error.read())

        def test_sandbox_and_rate_limit(recotap_mock):
            status, body = call(recotap_mock)
            assert status == 400 and "data" not in body, body  # the sandbox's error bodies
            assert call(recotap_mock)[0] == 429  # --rate-limit 1
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)
