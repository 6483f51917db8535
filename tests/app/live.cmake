# The live capture end to end test: a real `quaywatch capture` on a veth pair between two
# network namespaces it creates. Needs root (CAP_NET_ADMIN); skipped (exit 77) otherwise.
# Run alone with `ctest -L live`.
add_test(NAME live_capture_e2e
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/live_capture_e2e_test.sh $<TARGET_FILE:quaywatch>)
set_tests_properties(live_capture_e2e PROPERTIES LABELS live SKIP_RETURN_CODE 77 TIMEOUT 120)
