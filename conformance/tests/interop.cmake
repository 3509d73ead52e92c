# The receiver suite against a real Postfix (tests/interop/postfix-receiver.sh): Postfix runs in
# a network namespace the script creates, with a private configuration; its verdicts must match
# conformance/expectations/postfix-3.7.txt. Skipped (exit 77) without root, unshare or postfix.
# Included from conformance/tests/CMakeLists.txt: include(${CMAKE_CURRENT_SOURCE_DIR}/interop.cmake OPTIONAL)
if(UNIX AND TARGET mxtls-conform)
  add_test(NAME interop.postfix-receiver
           COMMAND ${PROJECT_SOURCE_DIR}/tests/interop/postfix-receiver.sh $<TARGET_FILE:mxtls-conform>
                   ${CMAKE_CURRENT_BINARY_DIR}/postfix-report)
  set_tests_properties(interop.postfix-receiver PROPERTIES
    LABELS "interop;integration"
    SKIP_RETURN_CODE 77
    TIMEOUT 180
    # Ports 25/26 exist only inside the test's own network namespace; still, one at a time.
    RUN_SERIAL TRUE)
endif()

# The sender suite against a real Postfix as the sending MTA (tests/interop/postfix-sender.sh):
# a private send-only instance, started by the suite's trigger inside the suite's namespaces;
# its verdicts must match conformance/expectations/postfix-3.7-sender.txt. Skipped (exit 77)
# without root, unshare or postfix.
if(UNIX AND TARGET mxtls-conform)
  add_test(NAME interop.postfix-sender
           COMMAND ${PROJECT_SOURCE_DIR}/tests/interop/postfix-sender.sh $<TARGET_FILE:mxtls-conform>
                   ${CMAKE_CURRENT_BINARY_DIR}/postfix-sender-report)
  set_tests_properties(interop.postfix-sender PROPERTIES
    LABELS "interop;integration"
    SKIP_RETURN_CODE 77
    # About 20-30 s (74 cases, 8 jobs); the script itself gives up after 400 s.
    TIMEOUT 480
    # Its own namespaces, but one Postfix instance and 8 jobs: one at a time.
    RUN_SERIAL TRUE)
endif()

# The sender suite against Postfix + postfix-mta-sts-resolver (tests/interop/postfix-sts-sender.sh):
# the same private Postfix instance with smtp_tls_policy_maps pointing at a private
# mta-sts-daemon, both started by the trigger inside the suite's namespaces; its verdicts must
# match conformance/expectations/postfix-3.7-mta-sts-resolver-sender.txt. Skipped (exit 77)
# without root, unshare, postfix or mta-sts-daemon.
if(UNIX AND TARGET mxtls-conform)
  add_test(NAME interop.postfix-sts-sender
           COMMAND ${PROJECT_SOURCE_DIR}/tests/interop/postfix-sts-sender.sh $<TARGET_FILE:mxtls-conform>
                   ${CMAKE_CURRENT_BINARY_DIR}/postfix-sts-sender-report)
  set_tests_properties(interop.postfix-sts-sender PROPERTIES
    LABELS "interop;integration"
    SKIP_RETURN_CODE 77
    # About 30-40 s (74 cases, 8 jobs); the script itself gives up after 400 s.
    TIMEOUT 480
    # Its own namespaces, but one Postfix instance, one daemon and 8 jobs: one at a time.
    RUN_SERIAL TRUE)
endif()
