// OPC 10000-6 (Part 6) v1.04: 5.2 UA Binary, 6.7 UA Secure Conversation, 7.1 UA Connection
// Protocol; service parameters from OPC 10000-4 (Part 4) v1.04 clauses 5 and 7.
//
// clang-format off
//  chunk:        | type:3 ("HEL" "ACK" "ERR" "RHE" "OPN" "MSG" "CLO") | chunk:1 ('F' final,
//                  'C' intermediate, 'A' abort) | size:4 LE (the whole chunk) | ... |
//  HEL:          | version:4 | receive buffer:4 | send buffer:4 | max message:4 | max chunks:4 |
//                | endpoint URL:String |
//  ACK:          | version:4 | receive buffer:4 | send buffer:4 | max message:4 | max chunks:4 |
//  ERR:          | error:StatusCode | reason:String |
//  RHE:          | server URI:String | endpoint URL:String |
//  OPN:          | channel id:4 | policy URI:String | sender certificate:ByteString |
//                | receiver thumbprint:ByteString | sequence number:4 | request id:4 | body |
//  MSG, CLO:     | channel id:4 | token id:4 | sequence number:4 | request id:4 | body |
//                  (with SignAndEncrypt, or any policy but None for OPN, everything from the
//                  sequence header on is ciphertext)
//  body:         | type id:NodeId (the body's binary encoding id) | fields |
//  String, ByteString, XmlElement: | length:Int32 LE (-1 null) | octets |
//  array:        | length:Int32 LE (-1 null) | elements |
//  NodeId:       | encoding:1 | 0: id:1 | 1: ns:1 id:2 | 2: ns:2 id:4 | 3: ns:2 String |
//                | 4: ns:2 Guid:16 | 5: ns:2 ByteString |  (ExpandedNodeId: bit 7 namespace
//                  URI String follows, bit 6 server index UInt32 follows)
//  ExtensionObject: | type id:NodeId | encoding:1 (0 none, 1 binary, 2 XML) | [length:Int32 | body] |
//  LocalizedText: | mask:1 | 0x01 locale:String | 0x02 text:String |
//  QualifiedName: | ns:2 | name:String |
//  DiagnosticInfo: | mask:1 | 0x01 symbolic id, 0x02 namespace, 0x08 locale, 0x04 localized
//                    text (each Int32) | 0x10 additional info:String | 0x20 inner status:4 |
//                    0x40 inner DiagnosticInfo |
//  Variant:      | mask:1 (bits 0-5 built-in type, 0x80 array, 0x40 dimensions) | value(s) |
//                | [dimensions:Int32 array] |
//  DataValue:    | mask:1 | 0x01 Variant | 0x02 status:4 | 0x04 source time:8 |
//                | 0x08 server time:8 | 0x10 source ps:2 | 0x20 server ps:2 |
//  RequestHeader:  | authentication token:NodeId | timestamp:8 | handle:4 | diagnostics:4 |
//                  | audit entry:String | timeout:4 | additional header:ExtensionObject |
//  ResponseHeader: | timestamp:8 | handle:4 | service result:StatusCode | DiagnosticInfo |
//                  | string table:String array | additional header:ExtensionObject |
//  ApplicationDescription: | application URI:String | product URI:String |
//                  | application name:LocalizedText | type:4 | gateway URI:String |
//                  | discovery profile:String | discovery URLs:String array |
//  EndpointDescription: | endpoint URL:String | server:ApplicationDescription | ...
//  BuildInfo:    | product URI:String | manufacturer:String | product name:String |
//                | software version:String | build number:String | build date:8 |
//  ServerStatusDataType: | start time:8 | current time:8 | state:4 | build info:BuildInfo | ...
// clang-format on
#include "dissect/opcua/opcua_parser.h"

#include <algorithm>

#include "core/byte_reader.h"
#include "dissect/text_field.h"

namespace qw::dissect {
namespace {

using C = IcsCategory;

// Services of Part 4 by the encoding ids of their request and response bodies (OPC
// Foundation NodeIds.csv). Categories: reading values and browsing or subscribing to them
// reads; Write, HistoryUpdate and Call change the process (a method may do anything, so a
// Call counts as a write); the NodeManagement services change the server's address space,
// the model a controller exposes, and count as program changes; discovery services ask who
// a server is.
constexpr OpcuaServiceInfo kServices[] = {
    {422, 425, "find-servers", C::kIdentity},
    {428, 431, "get-endpoints", C::kIdentity},
    {437, 440, "register-server", C::kOther},
    {446, 449, "open-secure-channel", C::kSession},
    {452, 455, "close-secure-channel", C::kSession},
    {461, 464, "create-session", C::kSession},
    {467, 470, "activate-session", C::kSession},
    {473, 476, "close-session", C::kSession},
    {479, 482, "cancel", C::kSession},
    {488, 491, "add-nodes", C::kProgramChange},
    {494, 497, "add-references", C::kProgramChange},
    {500, 503, "delete-nodes", C::kProgramChange},
    {506, 509, "delete-references", C::kProgramChange},
    {527, 530, "browse", C::kRead},
    {533, 536, "browse-next", C::kRead},
    {554, 557, "translate-browse-paths", C::kRead},
    {560, 563, "register-nodes", C::kRead},
    {566, 569, "unregister-nodes", C::kRead},
    {615, 618, "query-first", C::kRead},
    {621, 624, "query-next", C::kRead},
    {631, 634, "read", C::kRead},
    {664, 667, "history-read", C::kRead},
    {673, 676, "write", C::kWrite},
    {700, 703, "history-update", C::kWrite},
    {712, 715, "call", C::kWrite},
    {751, 754, "create-monitored-items", C::kRead},
    {763, 766, "modify-monitored-items", C::kRead},
    {769, 772, "set-monitoring-mode", C::kRead},
    {775, 778, "set-triggering", C::kRead},
    {781, 784, "delete-monitored-items", C::kRead},
    {787, 790, "create-subscription", C::kRead},
    {793, 796, "modify-subscription", C::kRead},
    {799, 802, "set-publishing-mode", C::kRead},
    {826, 829, "publish", C::kRead},
    {832, 835, "republish", C::kRead},
    {841, 844, "transfer-subscriptions", C::kRead},
    {847, 850, "delete-subscriptions", C::kRead},
    {12208, 12209, "find-servers-on-network", C::kIdentity},
    {12211, 12212, "register-server2", C::kOther},
};

// ServiceFault answers any request: it has no request of its own.
constexpr OpcuaServiceInfo kServiceFaultInfo = {0, kOpcuaServiceFault, "service-fault", C::kOther};

struct StatusName {
  uint32_t code;
  const char* name;
};

// StatusCode.csv of the OPC Foundation UA-Nodeset (1.05), sorted by code.
constexpr StatusName kStatusNames[] = {
    {0x00000000, "Good"},
    {0x002d0000, "GoodSubscriptionTransferred"},
    {0x002e0000, "GoodCompletesAsynchronously"},
    {0x002f0000, "GoodOverload"},
    {0x00300000, "GoodClamped"},
    {0x00960000, "GoodLocalOverride"},
    {0x00a20000, "GoodEntryInserted"},
    {0x00a30000, "GoodEntryReplaced"},
    {0x00a50000, "GoodNoData"},
    {0x00a60000, "GoodMoreData"},
    {0x00a70000, "GoodCommunicationEvent"},
    {0x00a80000, "GoodShutdownEvent"},
    {0x00a90000, "GoodCallAgain"},
    {0x00aa0000, "GoodNonCriticalTimeout"},
    {0x00ba0000, "GoodResultsMayBeIncomplete"},
    {0x00d90000, "GoodDataIgnored"},
    {0x00dc0000, "GoodEdited"},
    {0x00dd0000, "GoodPostActionFailed"},
    {0x00df0000, "GoodRetransmissionQueueNotSupported"},
    {0x00e00000, "GoodDependentValueChanged"},
    {0x00eb0000, "GoodSubNormal"},
    {0x00ef0000, "GoodPasswordChangeRequired"},
    {0x01160000, "GoodEdited_DependentValueChanged"},
    {0x01170000, "GoodEdited_DominantValueChanged"},
    {0x01180000, "GoodEdited_DominantValueChanged_DependentValueChanged"},
    {0x04010000, "GoodCascadeInitializationAcknowledged"},
    {0x04020000, "GoodCascadeInitializationRequest"},
    {0x04030000, "GoodCascadeNotInvited"},
    {0x04040000, "GoodCascadeNotSelected"},
    {0x04070000, "GoodFaultStateActive"},
    {0x04080000, "GoodInitiateFaultState"},
    {0x04090000, "GoodCascade"},
    {0x40000000, "Uncertain"},
    {0x406c0000, "UncertainReferenceOutOfServer"},
    {0x408f0000, "UncertainNoCommunicationLastUsableValue"},
    {0x40900000, "UncertainLastUsableValue"},
    {0x40910000, "UncertainSubstituteValue"},
    {0x40920000, "UncertainInitialValue"},
    {0x40930000, "UncertainSensorNotAccurate"},
    {0x40940000, "UncertainEngineeringUnitsExceeded"},
    {0x40950000, "UncertainSubNormal"},
    {0x40a40000, "UncertainDataSubNormal"},
    {0x40bc0000, "UncertainReferenceNotDeleted"},
    {0x40c00000, "UncertainNotAllNodesAvailable"},
    {0x40de0000, "UncertainDominantValueChanged"},
    {0x40e20000, "UncertainDependentValueChanged"},
    {0x42080000, "UncertainTransducerInManual"},
    {0x42090000, "UncertainSimulatedValue"},
    {0x420a0000, "UncertainSensorCalibration"},
    {0x420f0000, "UncertainConfigurationError"},
    {0x80000000, "Bad"},
    {0x80010000, "BadUnexpectedError"},
    {0x80020000, "BadInternalError"},
    {0x80030000, "BadOutOfMemory"},
    {0x80040000, "BadResourceUnavailable"},
    {0x80050000, "BadCommunicationError"},
    {0x80060000, "BadEncodingError"},
    {0x80070000, "BadDecodingError"},
    {0x80080000, "BadEncodingLimitsExceeded"},
    {0x80090000, "BadUnknownResponse"},
    {0x800a0000, "BadTimeout"},
    {0x800b0000, "BadServiceUnsupported"},
    {0x800c0000, "BadShutdown"},
    {0x800d0000, "BadServerNotConnected"},
    {0x800e0000, "BadServerHalted"},
    {0x800f0000, "BadNothingToDo"},
    {0x80100000, "BadTooManyOperations"},
    {0x80110000, "BadDataTypeIdUnknown"},
    {0x80120000, "BadCertificateInvalid"},
    {0x80130000, "BadSecurityChecksFailed"},
    {0x80140000, "BadCertificateTimeInvalid"},
    {0x80150000, "BadCertificateIssuerTimeInvalid"},
    {0x80160000, "BadCertificateHostNameInvalid"},
    {0x80170000, "BadCertificateUriInvalid"},
    {0x80180000, "BadCertificateUseNotAllowed"},
    {0x80190000, "BadCertificateIssuerUseNotAllowed"},
    {0x801a0000, "BadCertificateUntrusted"},
    {0x801b0000, "BadCertificateRevocationUnknown"},
    {0x801c0000, "BadCertificateIssuerRevocationUnknown"},
    {0x801d0000, "BadCertificateRevoked"},
    {0x801e0000, "BadCertificateIssuerRevoked"},
    {0x801f0000, "BadUserAccessDenied"},
    {0x80200000, "BadIdentityTokenInvalid"},
    {0x80210000, "BadIdentityTokenRejected"},
    {0x80220000, "BadSecureChannelIdInvalid"},
    {0x80230000, "BadInvalidTimestamp"},
    {0x80240000, "BadNonceInvalid"},
    {0x80250000, "BadSessionIdInvalid"},
    {0x80260000, "BadSessionClosed"},
    {0x80270000, "BadSessionNotActivated"},
    {0x80280000, "BadSubscriptionIdInvalid"},
    {0x802a0000, "BadRequestHeaderInvalid"},
    {0x802b0000, "BadTimestampsToReturnInvalid"},
    {0x802c0000, "BadRequestCancelledByClient"},
    {0x80310000, "BadNoCommunication"},
    {0x80320000, "BadWaitingForInitialData"},
    {0x80330000, "BadNodeIdInvalid"},
    {0x80340000, "BadNodeIdUnknown"},
    {0x80350000, "BadAttributeIdInvalid"},
    {0x80360000, "BadIndexRangeInvalid"},
    {0x80370000, "BadIndexRangeNoData"},
    {0x80380000, "BadDataEncodingInvalid"},
    {0x80390000, "BadDataEncodingUnsupported"},
    {0x803a0000, "BadNotReadable"},
    {0x803b0000, "BadNotWritable"},
    {0x803c0000, "BadOutOfRange"},
    {0x803d0000, "BadNotSupported"},
    {0x803e0000, "BadNotFound"},
    {0x803f0000, "BadObjectDeleted"},
    {0x80400000, "BadNotImplemented"},
    {0x80410000, "BadMonitoringModeInvalid"},
    {0x80420000, "BadMonitoredItemIdInvalid"},
    {0x80430000, "BadMonitoredItemFilterInvalid"},
    {0x80440000, "BadMonitoredItemFilterUnsupported"},
    {0x80450000, "BadFilterNotAllowed"},
    {0x80460000, "BadStructureMissing"},
    {0x80470000, "BadEventFilterInvalid"},
    {0x80480000, "BadContentFilterInvalid"},
    {0x80490000, "BadFilterOperandInvalid"},
    {0x804a0000, "BadContinuationPointInvalid"},
    {0x804b0000, "BadNoContinuationPoints"},
    {0x804c0000, "BadReferenceTypeIdInvalid"},
    {0x804d0000, "BadBrowseDirectionInvalid"},
    {0x804e0000, "BadNodeNotInView"},
    {0x804f0000, "BadServerUriInvalid"},
    {0x80500000, "BadServerNameMissing"},
    {0x80510000, "BadDiscoveryUrlMissing"},
    {0x80520000, "BadSempahoreFileMissing"},
    {0x80530000, "BadRequestTypeInvalid"},
    {0x80540000, "BadSecurityModeRejected"},
    {0x80550000, "BadSecurityPolicyRejected"},
    {0x80560000, "BadTooManySessions"},
    {0x80570000, "BadUserSignatureInvalid"},
    {0x80580000, "BadApplicationSignatureInvalid"},
    {0x80590000, "BadNoValidCertificates"},
    {0x805a0000, "BadRequestCancelledByRequest"},
    {0x805b0000, "BadParentNodeIdInvalid"},
    {0x805c0000, "BadReferenceNotAllowed"},
    {0x805d0000, "BadNodeIdRejected"},
    {0x805e0000, "BadNodeIdExists"},
    {0x805f0000, "BadNodeClassInvalid"},
    {0x80600000, "BadBrowseNameInvalid"},
    {0x80610000, "BadBrowseNameDuplicated"},
    {0x80620000, "BadNodeAttributesInvalid"},
    {0x80630000, "BadTypeDefinitionInvalid"},
    {0x80640000, "BadSourceNodeIdInvalid"},
    {0x80650000, "BadTargetNodeIdInvalid"},
    {0x80660000, "BadDuplicateReferenceNotAllowed"},
    {0x80670000, "BadInvalidSelfReference"},
    {0x80680000, "BadReferenceLocalOnly"},
    {0x80690000, "BadNoDeleteRights"},
    {0x806a0000, "BadServerIndexInvalid"},
    {0x806b0000, "BadViewIdUnknown"},
    {0x806d0000, "BadTooManyMatches"},
    {0x806e0000, "BadQueryTooComplex"},
    {0x806f0000, "BadNoMatch"},
    {0x80700000, "BadMaxAgeInvalid"},
    {0x80710000, "BadHistoryOperationInvalid"},
    {0x80720000, "BadHistoryOperationUnsupported"},
    {0x80730000, "BadWriteNotSupported"},
    {0x80740000, "BadTypeMismatch"},
    {0x80750000, "BadMethodInvalid"},
    {0x80760000, "BadArgumentsMissing"},
    {0x80770000, "BadTooManySubscriptions"},
    {0x80780000, "BadTooManyPublishRequests"},
    {0x80790000, "BadNoSubscription"},
    {0x807a0000, "BadSequenceNumberUnknown"},
    {0x807b0000, "BadMessageNotAvailable"},
    {0x807c0000, "BadInsufficientClientProfile"},
    {0x807d0000, "BadTcpServerTooBusy"},
    {0x807e0000, "BadTcpMessageTypeInvalid"},
    {0x807f0000, "BadTcpSecureChannelUnknown"},
    {0x80800000, "BadTcpMessageTooLarge"},
    {0x80810000, "BadTcpNotEnoughResources"},
    {0x80820000, "BadTcpInternalError"},
    {0x80830000, "BadTcpEndpointUrlInvalid"},
    {0x80840000, "BadRequestInterrupted"},
    {0x80850000, "BadRequestTimeout"},
    {0x80860000, "BadSecureChannelClosed"},
    {0x80870000, "BadSecureChannelTokenUnknown"},
    {0x80880000, "BadSequenceNumberInvalid"},
    {0x80890000, "BadConfigurationError"},
    {0x808a0000, "BadNotConnected"},
    {0x808b0000, "BadDeviceFailure"},
    {0x808c0000, "BadSensorFailure"},
    {0x808d0000, "BadOutOfService"},
    {0x808e0000, "BadDeadbandFilterInvalid"},
    {0x80970000, "BadRefreshInProgress"},
    {0x80980000, "BadConditionAlreadyDisabled"},
    {0x80990000, "BadConditionDisabled"},
    {0x809a0000, "BadEventIdUnknown"},
    {0x809b0000, "BadNoData"},
    {0x809d0000, "BadDataLost"},
    {0x809e0000, "BadDataUnavailable"},
    {0x809f0000, "BadEntryExists"},
    {0x80a00000, "BadNoEntryExists"},
    {0x80a10000, "BadTimestampNotSupported"},
    {0x80ab0000, "BadInvalidArgument"},
    {0x80ac0000, "BadConnectionRejected"},
    {0x80ad0000, "BadDisconnect"},
    {0x80ae0000, "BadConnectionClosed"},
    {0x80af0000, "BadInvalidState"},
    {0x80b00000, "BadEndOfStream"},
    {0x80b10000, "BadNoDataAvailable"},
    {0x80b20000, "BadWaitingForResponse"},
    {0x80b30000, "BadOperationAbandoned"},
    {0x80b40000, "BadExpectedStreamToBlock"},
    {0x80b50000, "BadWouldBlock"},
    {0x80b60000, "BadSyntaxError"},
    {0x80b70000, "BadMaxConnectionsReached"},
    {0x80b80000, "BadRequestTooLarge"},
    {0x80b90000, "BadResponseTooLarge"},
    {0x80bb0000, "BadEventNotAcknowledgeable"},
    {0x80bd0000, "BadInvalidTimestampArgument"},
    {0x80be0000, "BadProtocolVersionUnsupported"},
    {0x80bf0000, "BadStateNotActive"},
    {0x80c10000, "BadFilterOperatorInvalid"},
    {0x80c20000, "BadFilterOperatorUnsupported"},
    {0x80c30000, "BadFilterOperandCountMismatch"},
    {0x80c40000, "BadFilterElementInvalid"},
    {0x80c50000, "BadFilterLiteralInvalid"},
    {0x80c60000, "BadIdentityChangeNotSupported"},
    {0x80c80000, "BadNotTypeDefinition"},
    {0x80c90000, "BadViewTimestampInvalid"},
    {0x80ca0000, "BadViewParameterMismatch"},
    {0x80cb0000, "BadViewVersionInvalid"},
    {0x80cc0000, "BadConditionAlreadyEnabled"},
    {0x80cd0000, "BadDialogNotActive"},
    {0x80ce0000, "BadDialogResponseInvalid"},
    {0x80cf0000, "BadConditionBranchAlreadyAcked"},
    {0x80d00000, "BadConditionBranchAlreadyConfirmed"},
    {0x80d10000, "BadConditionAlreadyShelved"},
    {0x80d20000, "BadConditionNotShelved"},
    {0x80d30000, "BadShelvingTimeOutOfRange"},
    {0x80d40000, "BadAggregateListMismatch"},
    {0x80d50000, "BadAggregateNotSupported"},
    {0x80d60000, "BadAggregateInvalidInputs"},
    {0x80d70000, "BadBoundNotFound"},
    {0x80d80000, "BadBoundNotSupported"},
    {0x80da0000, "BadAggregateConfigurationRejected"},
    {0x80db0000, "BadTooManyMonitoredItems"},
    {0x80e10000, "BadDominantValueChanged"},
    {0x80e30000, "BadDependentValueChanged"},
    {0x80e40000, "BadRequestNotAllowed"},
    {0x80e50000, "BadTooManyArguments"},
    {0x80e60000, "BadSecurityModeInsufficient"},
    {0x80e70000, "BadDataSetIdInvalid"},
    {0x80e80000, "BadTransactionPending"},
    {0x80e90000, "BadLocked"},
    {0x80ea0000, "BadIndexRangeDataMismatch"},
    {0x80ec0000, "BadRequiresLock"},
    {0x80ed0000, "BadLocaleNotSupported"},
    {0x80ee0000, "BadServerTooBusy"},
    {0x80f00000, "BadNoValue"},
    {0x810d0000, "BadCertificateChainIncomplete"},
    {0x810e0000, "BadLicenseExpired"},
    {0x810f0000, "BadLicenseLimitsExceeded"},
    {0x81100000, "BadLicenseNotAvailable"},
    {0x81110000, "BadNotExecutable"},
    {0x81120000, "BadNumericOverflow"},
    {0x81130000, "BadRequestNotComplete"},
    {0x81140000, "BadCertificatePolicyCheckFailed"},
    {0x81150000, "BadAlreadyExists"},
    {0x81190000, "BadEdited_OutOfRange"},
    {0x811a0000, "BadInitialValue_OutOfRange"},
    {0x811b0000, "BadOutOfRange_DominantValueChanged"},
    {0x811c0000, "BadEdited_OutOfRange_DominantValueChanged"},
    {0x811d0000, "BadOutOfRange_DominantValueChanged_DependentValueChanged"},
    {0x811e0000, "BadEdited_OutOfRange_DominantValueChanged_DependentValueChanged"},
    {0x811f0000, "BadTicketRequired"},
    {0x81200000, "BadTicketInvalid"},
};

// Numeric ids of ServerStatus and its BuildInfo (namespace 0).
constexpr uint32_t kServerStatus = 2256;
constexpr uint32_t kBuildInfo = 2260;
constexpr uint32_t kBuildProductName = 2261;
constexpr uint32_t kBuildProductUri = 2262;
constexpr uint32_t kBuildManufacturer = 2263;
constexpr uint32_t kBuildSoftwareVersion = 2264;
constexpr uint32_t kBuildNumber = 2265;
// Binary encodings of the structures those nodes hold.
constexpr uint32_t kBuildInfoEncoding = 340;
constexpr uint32_t kServerStatusEncoding = 864;
// User identity tokens (ActivateSession).
constexpr uint32_t kAnonymousToken = 321;
constexpr uint32_t kUserNameToken = 324;
constexpr uint32_t kX509Token = 327;
constexpr uint32_t kIssuedToken = 940;
// The Value attribute.
constexpr uint32_t kValueAttribute = 13;

constexpr std::string_view kPolicyPrefix = "http://opcfoundation.org/UA/SecurityPolicy#";

// Variant built-in types with a fixed encoded size (0: variable or invalid).
constexpr uint8_t kFixedSize[26] = {0, 1,  1, 1, 2, 2, 4, 4, 8, 8, 4, 8, 0,
                                    8, 16, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0};
constexpr uint8_t kVariantString = 12;
constexpr uint8_t kVariantExtensionObject = 22;
constexpr uint8_t kMaxBuiltinType = 25;

struct NodeId {
  uint8_t kind = 0;  // 0..5: the encoding's low bits
  uint16_t ns = 0;
  uint32_t numeric = 0;
  std::span<const uint8_t> id;             // string, guid or opaque octets (a view)
  std::span<const uint8_t> namespace_uri;  // ExpandedNodeId only
  bool IsNumeric() const { return kind <= 2; }
  // Numeric 0 in any namespace asks the server to choose (AddNodes requestedNewNodeId).
  bool IsNull() const { return IsNumeric() && numeric == 0 && namespace_uri.empty(); }
};

struct ExtensionObject {
  NodeId type;
  uint8_t encoding = 0;
  std::span<const uint8_t> body;  // a view
};

// Appends `bytes` as lower-case hex, at most `max` octets.
template <size_t N>
void AppendHexBytes(core::FixedText<N>& t, std::span<const uint8_t> bytes, size_t max) {
  static constexpr char kDigits[] = "0123456789abcdef";
  core::ByteReader r(bytes.first(std::min(bytes.size(), max)));
  while (!r.empty()) {
    uint8_t b = r.U8();
    t.Append(kDigits[b >> 4]).Append(kDigits[b & 0xf]);
  }
}

// Appends the octets of a String (UTF-8 in UA Binary): well-formed multi-octet sequences
// are kept whole or not at all, control and stray octets become '.', so the text stays valid
// UTF-8 for the sinks however the capacity cuts it.
template <size_t N>
void AppendText(core::FixedText<N>& t, std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  while (!r.empty() && t.size() < t.capacity()) {
    uint8_t c = r.U8();
    if (c < 0x80) {
      t.Append(c >= 0x20 && c != 0x7f ? static_cast<char>(c) : '.');
      continue;
    }
    size_t n = Utf8SequenceLength(c, r);
    if (n == 0) {
      t.Append('.');
      continue;
    }
    if (t.capacity() - t.size() < n) break;
    t.Append(static_cast<char>(c));
    t.Append(r.Chars(n - 1));
  }
}

// A NodeId in the notation of Part 6 5.3.1.10: "i=2258", "ns=2;s=Crane.Hoist.Speed",
// "ns=1;g=<guid>", "ns=1;b=<hex>" (opaque ids as hex rather than base64).
template <size_t N>
void AppendNodeId(core::FixedText<N>& t, const NodeId& n) {
  if (!n.namespace_uri.empty()) {
    t.Append("nsu=");
    AppendText(t, n.namespace_uri);
    t.Append(';');
  } else if (n.ns != 0) {
    t.Append("ns=").AppendUint(n.ns).Append(';');
  }
  switch (n.kind) {
    case 3:
      t.Append("s=");
      AppendText(t, n.id);
      return;
    case 4: {
      core::ByteReader g(n.id);
      uint32_t d1 = g.U32Le();
      uint16_t d2 = g.U16Le(), d3 = g.U16Le();
      std::span<const uint8_t> d4 = g.Rest();
      core::FixedText<40> text;
      core::FixedText<16> part;
      // Fixed-width hex fields: AppendHex pads to the digits asked for.
      part.AppendHex(d1, 8);
      text.Append(part.view().substr(2)).Append('-');
      part.Clear();
      part.AppendHex(d2, 4);
      text.Append(part.view().substr(2)).Append('-');
      part.Clear();
      part.AppendHex(d3, 4);
      text.Append(part.view().substr(2)).Append('-');
      AppendHexBytes(text, d4.first(std::min<size_t>(2, d4.size())), 2);
      text.Append('-');
      AppendHexBytes(text, d4.subspan(std::min<size_t>(2, d4.size())), 6);
      t.Append("g=").Append(text.view());
      return;
    }
    case 5:
      t.Append("b=");
      AppendHexBytes(t, n.id, 32);
      return;
    default:
      t.Append("i=").AppendUint(n.numeric);
      return;
  }
}

// UA Binary decoding over a ByteReader. Fails for good, like the reader, when a value runs
// past the end or breaks the encoding; `whole` says whether running out of octets is a
// defect (a whole body) or expected (the first part of a body).
class Ua {
 public:
  Ua(core::ByteReader& r, bool whole, core::Anomalies& anomalies)
      : r_(r), whole_(whole), anomalies_(anomalies) {}

  bool ok() const { return r_.ok() && !failed_; }
  core::ByteReader& reader() { return r_; }

  // Gives up; `anomaly` is raised when the input, not a cut, is to blame.
  void Fail(const char* anomaly) {
    if (!failed_ && anomaly) anomalies_.Raise(anomaly);
    failed_ = true;
    r_.Fail();
  }
  // A read ran out of octets: a defect only in a whole body.
  void CheckEnd() {
    if (!r_.ok() && !failed_) {
      if (whole_) anomalies_.Raise("opcua.truncated_body");
      failed_ = true;
    }
  }

  uint8_t U8() { return Checked(r_.U8()); }
  uint16_t U16() { return Checked(r_.U16Le()); }
  uint32_t U32() { return Checked(r_.U32Le()); }
  void Skip(size_t n) {
    r_.Skip(n);
    CheckEnd();
  }

  // String, ByteString or XmlElement: a view of its octets (empty when null).
  std::span<const uint8_t> String() {
    uint32_t raw = U32();
    if (!ok()) return {};
    auto length = static_cast<int32_t>(raw);
    if (length == -1) return {};
    if (length < -1) {
      Fail("opcua.bad_length");
      return {};
    }
    auto out = r_.Bytes(static_cast<size_t>(length));
    CheckEnd();
    return out;
  }

  // An array's element count (0 for a null array).
  uint32_t ArrayLength() {
    uint32_t raw = U32();
    if (!ok()) return 0;
    auto length = static_cast<int32_t>(raw);
    if (length == -1) return 0;
    if (length < -1) {
      Fail("opcua.bad_length");
      return 0;
    }
    return static_cast<uint32_t>(length);
  }

  NodeId ReadNodeId(bool expanded) {
    NodeId n;
    uint8_t encoding = U8();
    if (!ok()) return n;
    uint8_t flags = encoding & 0xc0;
    if (flags != 0 && !expanded) {
      Fail("opcua.bad_node_id");
      return n;
    }
    n.kind = encoding & 0x3f;
    switch (n.kind) {
      case 0:
        n.numeric = U8();
        break;
      case 1:
        n.ns = U8();
        n.numeric = U16();
        break;
      case 2:
        n.ns = U16();
        n.numeric = U32();
        break;
      case 3:
      case 5:
        n.ns = U16();
        n.id = String();
        break;
      case 4:
        n.ns = U16();
        n.id = r_.Bytes(16);
        CheckEnd();
        break;
      default:
        Fail("opcua.bad_node_id");
        return n;
    }
    if (flags & 0x80) n.namespace_uri = String();
    if (flags & 0x40) U32();  // server index
    return n;
  }

  ExtensionObject ReadExtensionObject() {
    ExtensionObject e;
    e.type = ReadNodeId(false);
    e.encoding = U8();
    if (!ok()) return e;
    if (e.encoding == 1 || e.encoding == 2) {
      e.body = String();
    } else if (e.encoding != 0) {
      Fail("opcua.bad_extension_object");
    }
    return e;
  }

  // LocalizedText: a view of its text.
  std::span<const uint8_t> LocalizedText() {
    uint8_t mask = U8();
    if (mask & 0x01) String();
    return (mask & 0x02) ? String() : std::span<const uint8_t>{};
  }

  // QualifiedName: its namespace index and a view of its name.
  std::span<const uint8_t> QualifiedName(uint16_t* ns) {
    uint16_t index = U16();
    if (ns) *ns = index;
    return String();
  }

  void SkipDiagnosticInfo(int depth) {
    if (!Deeper(depth)) return;
    uint8_t mask = U8();
    if (mask & 0x01) U32();
    if (mask & 0x02) U32();
    if (mask & 0x08) U32();
    if (mask & 0x04) U32();
    if (mask & 0x10) String();
    if (mask & 0x20) U32();
    if (mask & 0x40) SkipDiagnosticInfo(depth + 1);
  }

  // Skips `count` elements of `skip_one`, walking at most kMaxOpcuaWalkedElements.
  template <typename F>
  void SkipElements(uint32_t count, F&& skip_one) {
    if (count > kMaxOpcuaWalkedElements) {
      Fail("opcua.too_many_elements");
      return;
    }
    for (uint32_t i = 0; i < count && ok(); ++i) skip_one();
  }

  void SkipStringArray() {
    SkipElements(ArrayLength(), [&] { String(); });
  }

  // One value of built-in type `type`.
  void SkipBuiltin(uint8_t type, int depth) {
    if (type > kMaxBuiltinType) {
      Fail("opcua.bad_variant");
      return;
    }
    if (kFixedSize[type] != 0) {
      Skip(kFixedSize[type]);
      return;
    }
    switch (type) {
      case 0:
        return;
      case 12:
      case 15:
      case 16:
        String();
        return;
      case 17:
        ReadNodeId(false);
        return;
      case 18:
        ReadNodeId(true);
        return;
      case 20:
        QualifiedName(nullptr);
        return;
      case 21:
        LocalizedText();
        return;
      case 22:
        ReadExtensionObject();
        return;
      case 23:
        SkipDataValue(depth + 1);
        return;
      case 24:
        SkipVariant(depth + 1);
        return;
      case 25:
        SkipDiagnosticInfo(depth + 1);
        return;
      default:
        Fail("opcua.bad_variant");
        return;
    }
  }

  // A Variant: its type, and for a scalar String or ExtensionObject, its value.
  struct VariantValue {
    uint8_t type = 0;
    bool array = false;
    std::span<const uint8_t> text;  // scalar String
    ExtensionObject object;         // scalar ExtensionObject
  };

  VariantValue ReadVariant(int depth) {
    VariantValue v;
    if (!Deeper(depth)) return v;
    uint8_t mask = U8();
    if (!ok()) return v;
    v.type = mask & 0x3f;
    v.array = (mask & 0x80) != 0;
    if (v.type > kMaxBuiltinType) {
      Fail("opcua.bad_variant");
      return v;
    }
    if (v.array) {
      uint32_t n = ArrayLength();
      if (!ok()) return v;
      if (kFixedSize[v.type] != 0) {
        Skip(size_t{n} * kFixedSize[v.type]);  // fixed-size elements: no walk
      } else if (v.type == 0) {
        if (n != 0) Fail("opcua.bad_variant");
      } else {
        SkipElements(n, [&] { SkipBuiltin(v.type, depth); });
      }
      if (mask & 0x40) SkipElements(ArrayLength(), [&] { U32(); });
      return v;
    }
    if (v.type == kVariantString) {
      v.text = String();
    } else if (v.type == kVariantExtensionObject) {
      v.object = ReadExtensionObject();
    } else {
      SkipBuiltin(v.type, depth);
    }
    return v;
  }

  void SkipVariant(int depth) { ReadVariant(depth); }

  // A DataValue: its Variant (when present) and status (Good when absent).
  struct DataValueParts {
    VariantValue value;
    bool has_status = false;
    uint32_t status = 0;
  };

  DataValueParts ReadDataValue(int depth) {
    DataValueParts d;
    if (!Deeper(depth)) return d;
    uint8_t mask = U8();
    if (mask & 0x01) d.value = ReadVariant(depth + 1);
    if (mask & 0x02) {
      d.has_status = true;
      d.status = U32();
    }
    if (mask & 0x04) Skip(8);
    if (mask & 0x08) Skip(8);
    if (mask & 0x10) Skip(2);
    if (mask & 0x20) Skip(2);
    return d;
  }

  void SkipDataValue(int depth) { ReadDataValue(depth); }

  void SkipRequestHeader() {
    ReadNodeId(false);  // authentication token
    Skip(8);            // timestamp
    U32();              // request handle
    U32();              // return diagnostics
    String();           // audit entry id
    U32();              // timeout hint
    ReadExtensionObject();
  }

  // Returns the service result.
  uint32_t ReadResponseHeader() {
    Skip(8);  // timestamp
    U32();    // request handle
    uint32_t result = U32();
    SkipDiagnosticInfo(0);
    SkipStringArray();
    ReadExtensionObject();
    return result;
  }

  void ReadApplication(OpcuaApplication& app) {
    auto uri = String();
    auto product = String();
    auto name = LocalizedText();
    uint32_t type = U32();
    String();  // gateway server URI
    String();  // discovery profile URI
    SkipStringArray();
    if (!ok()) return;
    app.present = true;
    AppendText(app.application_uri, uri);
    AppendText(app.product_uri, product);
    AppendText(app.application_name, name);
    app.application_type = type;
  }

 private:
  template <typename T>
  T Checked(T v) {
    CheckEnd();
    return v;
  }
  bool Deeper(int depth) {
    if (depth >= kMaxOpcuaDepth) {
      Fail("opcua.too_deep");
      return false;
    }
    return ok();
  }

  core::ByteReader& r_;
  bool whole_;
  core::Anomalies& anomalies_;
  bool failed_ = false;
};

bool TrackedBuildNode(uint32_t id) {
  return id == kServerStatus || (id >= kBuildInfo && id <= kBuildNumber);
}

// Target for a node of a read or write: the node, the attribute when it is not Value, and
// how many more items the request holds.
void NodeTarget(core::FixedText<112>& t, const NodeId& node, uint32_t attribute, bool has_attr) {
  AppendNodeId(t, node);
  if (has_attr && attribute != kValueAttribute) t.Append(" attr ").AppendUint(attribute);
}

void MoreItems(core::FixedText<112>& t, uint32_t count) {
  if (count > 1) t.Append(" +").AppendUint(count - 1);
}

template <size_t N>
void CopyTo(core::FixedText<N>& out, std::span<const uint8_t> text) {
  out.Clear();
  AppendText(out, text);
}

// BuildInfo fields in wire order.
void ReadBuildInfo(Ua& ua, OpcuaBuildInfo& b) {
  auto product_uri = ua.String();
  auto manufacturer = ua.String();
  auto product_name = ua.String();
  auto software = ua.String();
  auto build = ua.String();
  if (!ua.ok()) return;
  b.present = true;
  CopyTo(b.product_uri, product_uri);
  CopyTo(b.manufacturer, manufacturer);
  CopyTo(b.product_name, product_name);
  CopyTo(b.software_version, software);
  CopyTo(b.build_number, build);
}

// A tracked Read result: a BuildInfo string child, or a BuildInfo / ServerStatusDataType
// structure.
void TakeBuildValue(uint16_t node, const Ua::VariantValue& v, OpcuaBuildInfo& b,
                    core::Anomalies& anomalies) {
  if (!v.array && v.type == kVariantString) {
    switch (node) {
      case kBuildProductName:
        CopyTo(b.product_name, v.text);
        break;
      case kBuildProductUri:
        CopyTo(b.product_uri, v.text);
        break;
      case kBuildManufacturer:
        CopyTo(b.manufacturer, v.text);
        break;
      case kBuildSoftwareVersion:
        CopyTo(b.software_version, v.text);
        break;
      case kBuildNumber:
        CopyTo(b.build_number, v.text);
        break;
      default:
        return;
    }
    b.present = true;
    return;
  }
  if (v.array || v.type != kVariantExtensionObject || v.object.encoding != 1) return;
  if (!v.object.type.IsNumeric() || v.object.type.ns != 0) return;
  core::ByteReader r(v.object.body);
  Ua body(r, true, anomalies);
  if (v.object.type.numeric == kServerStatusEncoding && node == kServerStatus) {
    body.Skip(8 + 8 + 4);  // start time, current time, state
    ReadBuildInfo(body, b);
  } else if (v.object.type.numeric == kBuildInfoEncoding && node == kBuildInfo) {
    ReadBuildInfo(body, b);
  }
}

// ---- Requests -----------------------------------------------------------------------------

void ParseRead(Ua& ua, OpcuaServiceBody& out, bool whole, core::Anomalies& anomalies) {
  ua.Skip(8);  // max age
  ua.U32();    // timestamps to return
  uint32_t n = ua.ArrayLength();
  out.item_count = n;
  uint32_t scanned = std::min(n, kMaxOpcuaScannedReadItems);
  for (uint32_t i = 0; i < scanned && ua.ok(); ++i) {
    NodeId node = ua.ReadNodeId(false);
    uint32_t attribute = ua.U32();
    if (!ua.ok()) break;
    if (i == 0) NodeTarget(out.target, node, attribute, true);
    if (node.IsNumeric() && node.ns == 0 && attribute == kValueAttribute &&
        TrackedBuildNode(node.numeric) && out.read.count < kMaxOpcuaTrackedReads) {
      out.read.reads[out.read.count++] = {static_cast<uint16_t>(i),
                                          static_cast<uint16_t>(node.numeric)};
    }
    ua.String();                // index range
    ua.QualifiedName(nullptr);  // data encoding
  }
  if (n > scanned && whole) anomalies.Raise("opcua.too_many_items");
  if (n > 0) MoreItems(out.target, n);
}

// Requests whose main array's items start with the node they act on, after `skip` octets.
void ParseFirstNode(Ua& ua, OpcuaServiceBody& out, size_t skip, bool attribute) {
  ua.Skip(skip);
  uint32_t n = ua.ArrayLength();
  out.item_count = n;
  if (n == 0 || !ua.ok()) return;
  NodeId node = ua.ReadNodeId(false);
  uint32_t attr = attribute ? ua.U32() : 0;
  if (!ua.ok()) return;
  NodeTarget(out.target, node, attr, attribute);
  MoreItems(out.target, n);
}

void ParseBrowse(Ua& ua, OpcuaServiceBody& out) {
  ua.ReadNodeId(false);               // view id
  ua.Skip(8 + 4);                     // view timestamp, view version
  ParseFirstNode(ua, out, 4, false);  // after requested max references per node
}

void ParseCall(Ua& ua, OpcuaServiceBody& out) {
  uint32_t n = ua.ArrayLength();
  out.item_count = n;
  if (n == 0) return;
  NodeId object = ua.ReadNodeId(false);
  NodeId method = ua.ReadNodeId(false);
  if (!ua.ok()) return;
  AppendNodeId(out.target, method);
  out.target.Append(" on ");
  AppendNodeId(out.target, object);
  MoreItems(out.target, n);
}

void ParseHistoryRead(Ua& ua, OpcuaServiceBody& out) {
  ua.ReadExtensionObject();  // history read details
  ua.U32();                  // timestamps to return
  ua.U8();                   // release continuation points
  ParseFirstNode(ua, out, 0, false);
}

void ParseHistoryUpdate(Ua& ua, OpcuaServiceBody& out, core::Anomalies& anomalies) {
  uint32_t n = ua.ArrayLength();
  out.item_count = n;
  if (n == 0) return;
  ExtensionObject details = ua.ReadExtensionObject();
  if (!ua.ok() || details.encoding != 1) return;
  // Every HistoryUpdateDetails structure starts with the node it updates.
  core::ByteReader r(details.body);
  Ua body(r, true, anomalies);
  NodeId node = body.ReadNodeId(false);
  if (!body.ok()) return;
  AppendNodeId(out.target, node);
  MoreItems(out.target, n);
}

void ParseAddNodes(Ua& ua, OpcuaServiceBody& out) {
  uint32_t n = ua.ArrayLength();
  out.item_count = n;
  if (n == 0) return;
  NodeId parent = ua.ReadNodeId(true);
  ua.ReadNodeId(false);  // reference type
  NodeId requested = ua.ReadNodeId(true);
  uint16_t name_ns = 0;
  auto name = ua.QualifiedName(&name_ns);
  if (!ua.ok()) return;
  if (!requested.IsNull()) {
    AppendNodeId(out.target, requested);
  } else {
    out.target.Append("name ").AppendUint(name_ns).Append(':');
    AppendText(out.target, name);
  }
  out.target.Append(" under ");
  AppendNodeId(out.target, parent);
  MoreItems(out.target, n);
}

void ParseCreateSession(Ua& ua, OpcuaServiceBody& out) {
  ua.ReadApplication(out.application);
  ua.String();  // server URI
  auto url = ua.String();
  if (!ua.ok()) return;
  AppendText(out.target, url);
}

void ParseActivateSession(Ua& ua, OpcuaServiceBody& out, core::Anomalies& anomalies) {
  ua.String();                             // client signature algorithm
  ua.String();                             // client signature
  ua.SkipElements(ua.ArrayLength(), [&] {  // client software certificates
    ua.String();
    ua.String();
  });
  ua.SkipStringArray();  // locale ids
  ExtensionObject token = ua.ReadExtensionObject();
  if (!ua.ok()) return;
  if (!token.type.IsNumeric() || token.type.ns != 0) {
    out.identity_token = OpcuaIdentityToken::kOther;
    return;
  }
  switch (token.type.numeric) {
    case kAnonymousToken:
      out.identity_token = OpcuaIdentityToken::kAnonymous;
      out.target.Append("anonymous");
      return;
    case kUserNameToken: {
      out.identity_token = OpcuaIdentityToken::kUserName;
      core::ByteReader r(token.body);
      Ua body(r, true, anomalies);
      body.String();  // policy id
      auto user = body.String();
      out.target.Append("user ");
      if (body.ok()) AppendText(out.target, user);
      return;
    }
    case kX509Token:
      out.identity_token = OpcuaIdentityToken::kCertificate;
      out.target.Append("certificate");
      return;
    case kIssuedToken:
      out.identity_token = OpcuaIdentityToken::kIssued;
      out.target.Append("issued-token");
      return;
    default:
      out.identity_token = OpcuaIdentityToken::kOther;
      return;
  }
}

void ParseUrlRequest(Ua& ua, OpcuaServiceBody& out) {
  auto url = ua.String();
  if (ua.ok()) AppendText(out.target, url);
}

void ParseOpenRequest(Ua& ua, OpcuaServiceBody& out) {
  ua.U32();  // client protocol version
  out.request_type = ua.U32();
  out.security_mode = ua.U32();
}

// The fields of request `id` after its RequestHeader.
void ParseRequest(Ua& ua, uint32_t id, OpcuaServiceBody& out, bool whole,
                  core::Anomalies& anomalies) {
  switch (id) {
    case 631:
      ParseRead(ua, out, whole, anomalies);
      return;
    case 673:
      ParseFirstNode(ua, out, 0, true);
      return;
    case 712:
      ParseCall(ua, out);
      return;
    case 527:
      ParseBrowse(ua, out);
      return;
    case 554:  // TranslateBrowsePaths: BrowsePath starts with its starting node
    case 560:  // RegisterNodes
    case 566:  // UnregisterNodes
    case 500:  // DeleteNodes: DeleteNodesItem starts with its node
    case 494:  // AddReferences: AddReferencesItem starts with its source node
    case 506:  // DeleteReferences
      ParseFirstNode(ua, out, 0, false);
      return;
    case 664:
      ParseHistoryRead(ua, out);
      return;
    case 700:
      ParseHistoryUpdate(ua, out, anomalies);
      return;
    case 751:  // CreateMonitoredItems: subscription id, timestamps, items (ReadValueId first)
      ParseFirstNode(ua, out, 8, true);
      return;
    case 488:
      ParseAddNodes(ua, out);
      return;
    case 461:
      ParseCreateSession(ua, out);
      return;
    case 467:
      ParseActivateSession(ua, out, anomalies);
      return;
    case 428:
    case 422:
      ParseUrlRequest(ua, out);
      return;
    case kOpcuaOpenRequest:
      ParseOpenRequest(ua, out);
      return;
    default:
      return;
  }
}

// ---- Responses ----------------------------------------------------------------------------

// Responses whose results array holds a StatusCode first in each element (or is one).
void ParseFirstStatus(Ua& ua, OpcuaServiceBody& out) {
  uint32_t n = ua.ArrayLength();
  out.item_count = n;
  if (n == 0) return;
  uint32_t status = ua.U32();
  if (!ua.ok()) return;
  out.has_item_status = true;
  out.item_status = status;
}

void ParseReadResponse(Ua& ua, OpcuaServiceBody& out, const OpcuaReadTracking* read,
                       core::Anomalies& anomalies) {
  uint32_t n = ua.ArrayLength();
  out.item_count = n;
  // Walk the results as far as the first one and the last tracked build-information read.
  uint32_t last = 0;
  if (read) {
    for (uint8_t i = 0; i < read->count; ++i) {
      last = std::max<uint32_t>(last, read->reads[i].index);
    }
  }
  uint32_t walk = std::min(n, last + 1);
  if (walk > kMaxOpcuaWalkedElements) {
    ua.Fail("opcua.too_many_elements");
    return;
  }
  for (uint32_t i = 0; i < walk && ua.ok(); ++i) {
    Ua::DataValueParts d = ua.ReadDataValue(0);
    if (!ua.ok()) return;
    if (i == 0) {
      out.has_item_status = true;
      out.item_status = d.has_status ? d.status : 0;
    }
    if (!read) continue;
    for (uint8_t k = 0; k < read->count; ++k) {
      if (read->reads[k].index == i)
        TakeBuildValue(read->reads[k].node, d.value, out.build, anomalies);
    }
  }
}

void ParseEndpointsResponse(Ua& ua, OpcuaServiceBody& out) {
  uint32_t n = ua.ArrayLength();
  out.item_count = n;
  if (n == 0) return;
  ua.String();  // endpoint URL
  ua.ReadApplication(out.application);
}

void ParseCreateSessionResponse(Ua& ua, OpcuaServiceBody& out) {
  ua.ReadNodeId(false);  // session id
  ua.ReadNodeId(false);  // authentication token
  ua.Skip(8);            // revised session timeout
  ua.String();           // server nonce
  ua.String();           // server certificate
  ParseEndpointsResponse(ua, out);
}

void ParseResponse(Ua& ua, uint32_t id, OpcuaServiceBody& out, const OpcuaReadTracking* read,
                   core::Anomalies& anomalies) {
  switch (id) {
    case 634:
      ParseReadResponse(ua, out, read, anomalies);
      return;
    case 676:  // Write: StatusCode array
    case 715:  // Call: CallMethodResult starts with its status
    case 530:  // Browse: BrowseResult
    case 557:  // TranslateBrowsePaths: BrowsePathResult
    case 491:  // AddNodes: AddNodesResult
    case 497:  // AddReferences
    case 503:  // DeleteNodes
    case 509:  // DeleteReferences
    case 754:  // CreateMonitoredItems: MonitoredItemCreateResult
    case 667:  // HistoryRead: HistoryReadResult
    case 703:  // HistoryUpdate: HistoryUpdateResult
      ParseFirstStatus(ua, out);
      return;
    case 431:
      ParseEndpointsResponse(ua, out);
      return;
    case 464:
      ParseCreateSessionResponse(ua, out);
      return;
    default:
      return;
  }
}

// True when a body that may be ciphertext starts as a plain one of chunk type `type` would:
// a four-byte NodeId in namespace 0 naming a service body such a chunk carries. Ciphertext
// passes with odds of about 1 in 10^8.
bool LooksPlainBody(std::span<const uint8_t> body, uint32_t type) {
  core::ByteReader r(body);
  uint8_t encoding = r.U8();
  uint8_t ns = r.U8();
  uint16_t id = r.U16Le();
  if (!r.ok() || encoding != 0x01 || ns != 0) return false;
  if (type == kOpcuaOpen) return id == kOpcuaOpenRequest || id == kOpcuaOpenResponse;
  if (type == kOpcuaClose) return id == kOpcuaCloseRequest;
  return id == kOpcuaServiceFault || OpcuaService(id) != nullptr;
}

struct TypeBounds {
  uint32_t type;
  uint32_t min_size;
  uint32_t max_size;
  bool chunked;  // C and A chunks allowed
};

constexpr TypeBounds kTypeBounds[] = {
    {kOpcuaHello, 32, 32 + kMaxOpcuaUrlBytes, false},
    {kOpcuaAcknowledge, 28, 28, false},
    {kOpcuaError, 16, 16 + kMaxOpcuaUrlBytes, false},
    {kOpcuaReverseHello, 16, 16 + 2 * kMaxOpcuaUrlBytes, false},
    // Only MSG is split into chunks: IsFinal "is always 'F' for other MessageTypes" (6.7.2.2).
    {kOpcuaOpen, 32, kMaxOpcuaChunkBytes, false},
    {kOpcuaMessage, 24, kMaxOpcuaChunkBytes, true},
    {kOpcuaClose, 24, kMaxOpcuaChunkBytes, false},
};

const TypeBounds* Bounds(uint32_t type) {
  for (const auto& b : kTypeBounds) {
    if (b.type == type) return &b;
  }
  return nullptr;
}

}  // namespace

const OpcuaServiceInfo* OpcuaService(uint32_t id) {
  if (id == kOpcuaServiceFault) return &kServiceFaultInfo;
  for (const auto& s : kServices) {
    if (s.request_id == id || s.response_id == id) return &s;
  }
  return nullptr;
}

const char* OpcuaStatusName(uint32_t code) {
  const auto* end = std::end(kStatusNames);
  const auto* it = std::lower_bound(std::begin(kStatusNames), end, code,
                                    [](const StatusName& s, uint32_t c) { return s.code < c; });
  return it != end && it->code == code ? it->name : nullptr;
}

bool IsOpcuaPolicyNone(std::string_view uri) { return OpcuaPolicyName(uri) == "None"; }

std::string_view OpcuaPolicyName(std::string_view uri) {
  size_t hash = uri.rfind('#');
  return hash == std::string_view::npos ? uri : uri.substr(hash + 1);
}

OpcuaFraming FrameOpcua(std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  if (r.remaining() < kOpcuaHeaderBytes)
    return {OpcuaFraming::Status::kNeedMore, 0, 0, kOpcuaHeaderBytes};
  uint32_t type = r.U24Be();
  uint8_t chunk = r.U8();
  uint32_t size = r.U32Le();
  const TypeBounds* b = Bounds(type);
  bool chunk_ok = chunk == 'F' || (b && b->chunked && (chunk == 'C' || chunk == 'A'));
  if (!b || !chunk_ok || size < b->min_size || size > b->max_size) {
    return {OpcuaFraming::Status::kBad, 0, 0, 0};
  }
  if (bytes.size() < size) return {OpcuaFraming::Status::kNeedMore, type, chunk, size};
  return {OpcuaFraming::Status::kOk, type, chunk, size};
}

ProbeResult LooksLikeOpcua(std::span<const uint8_t> bytes) {
  if (bytes.size() < kOpcuaHeaderBytes) {
    // Too short to frame: still a candidate while it begins like a known type.
    core::ByteReader r(bytes);
    for (const auto& b : kTypeBounds) {
      bool prefix = true;
      for (size_t i = 0; i < 3 && i < bytes.size(); ++i) {
        prefix = prefix && r.PeekU8(i) == static_cast<uint8_t>(b.type >> (16 - 8 * i));
      }
      if (prefix) return ProbeResult::kMaybe;
    }
    return ProbeResult::kNo;
  }
  OpcuaFraming f = FrameOpcua(bytes);
  if (f.status == OpcuaFraming::Status::kBad) return ProbeResult::kNo;
  core::ByteReader r(bytes);
  r.Skip(kOpcuaHeaderBytes);
  // The first field after the header must agree with the size, where it can be seen.
  switch (f.type) {
    case kOpcuaHello: {
      if (!r.Skip(20)) return ProbeResult::kMaybe;
      auto length = static_cast<int32_t>(r.U32Le());
      if (!r.ok()) return ProbeResult::kMaybe;
      bool ok = length == -1 ? f.size == 32
                             : length >= 0 && f.size == 32u + static_cast<uint32_t>(length);
      return ok ? ProbeResult::kYes : ProbeResult::kNo;
    }
    case kOpcuaError: {
      r.U32Le();
      auto length = static_cast<int32_t>(r.U32Le());
      if (!r.ok()) return ProbeResult::kMaybe;
      bool ok = length == -1 ? f.size == 16
                             : length >= 0 && f.size == 16u + static_cast<uint32_t>(length);
      return ok ? ProbeResult::kYes : ProbeResult::kNo;
    }
    case kOpcuaOpen: {
      r.U32Le();  // channel id
      auto length = static_cast<int32_t>(r.U32Le());
      if (!r.ok()) return ProbeResult::kMaybe;
      if (length < 0 || static_cast<uint32_t>(length) > f.size - 32) return ProbeResult::kNo;
      size_t check = std::min(kPolicyPrefix.size(), static_cast<size_t>(length));
      if (r.remaining() < check) return ProbeResult::kMaybe;
      std::string_view prefix = r.Chars(check);
      return kPolicyPrefix.substr(0, check) == prefix && check == kPolicyPrefix.size()
                 ? ProbeResult::kYes
                 : ProbeResult::kNo;
    }
    case kOpcuaReverseHello: {
      auto length = static_cast<int32_t>(r.U32Le());
      if (!r.ok()) return ProbeResult::kMaybe;
      return length >= -1 && length <= static_cast<int32_t>(f.size - 16) ? ProbeResult::kYes
                                                                         : ProbeResult::kNo;
    }
    default:
      return ProbeResult::kYes;
  }
}

std::optional<OpcuaChunk> ParseOpcuaChunk(std::span<const uint8_t> chunk, bool plain,
                                          core::Anomalies& anomalies) {
  core::ByteReader r(chunk);
  OpcuaChunk out;
  out.type = r.U24Be();
  out.chunk = r.U8();
  out.size = r.U32Le();
  // A chunk larger than the caller keeps is parsed from its first part.
  if (!r.ok() || out.size < chunk.size()) return std::nullopt;
  Ua ua(r, out.size == chunk.size(), anomalies);
  switch (out.type) {
    case kOpcuaHello: {
      ua.Skip(20);
      auto url = ua.String();
      if (!ua.ok()) break;
      AppendText(out.endpoint_url, url);
      return out;
    }
    case kOpcuaAcknowledge:
      ua.Skip(20);
      if (!ua.ok()) break;
      return out;
    case kOpcuaError: {
      out.error = ua.U32();
      auto reason = ua.String();
      if (!ua.ok()) break;
      AppendText(out.reason, reason);
      return out;
    }
    case kOpcuaReverseHello: {
      ua.String();  // server URI
      auto url = ua.String();
      if (!ua.ok()) break;
      AppendText(out.endpoint_url, url);
      return out;
    }
    case kOpcuaOpen:
    case kOpcuaMessage:
    case kOpcuaClose: {
      out.channel_id = ua.U32();
      if (out.type == kOpcuaOpen) {
        auto policy = ua.String();
        auto certificate = ua.String();
        ua.String();  // receiver certificate thumbprint
        if (!ua.ok()) break;
        AppendText(out.security_policy, policy);
        out.sender_certificate = certificate;
        plain = plain || IsOpcuaPolicyNone(out.security_policy.view());
      } else {
        out.token_id = ua.U32();
      }
      if (!ua.ok()) break;
      // The sequence header and body, trusted when the caller knows the channel is plain
      // or the body starts as a plain one would.
      core::ByteReader seq = r;
      uint32_t sequence_number = seq.U32Le();
      uint32_t request_id = seq.U32Le();
      std::span<const uint8_t> body = seq.Rest();
      if (!seq.ok()) {
        if (plain) anomalies.Raise("opcua.malformed");
        return out;
      }
      // An abort chunk's body is an error and a reason, never a service body.
      bool starts_body = out.chunk != 'A';
      if (plain || (starts_body && LooksPlainBody(body, out.type))) {
        out.sequence_readable = true;
        out.sequence_number = sequence_number;
        out.request_id = request_id;
        out.body = body;
      }
      return out;
    }
    default:
      break;
  }
  anomalies.Raise("opcua.malformed");
  return std::nullopt;
}

OpcuaServiceBody ParseOpcuaServiceBody(std::span<const uint8_t> body, const OpcuaReadTracking* read,
                                       bool whole, core::Anomalies& anomalies) {
  OpcuaServiceBody out;
  core::ByteReader r(body);
  Ua ua(r, whole, anomalies);
  NodeId type = ua.ReadNodeId(false);
  if (!ua.ok()) return out;
  if (!type.IsNumeric() || type.ns != 0) {
    anomalies.Raise("opcua.bad_type_id");
    return out;
  }
  out.type_id_numeric = true;
  out.type_id = type.numeric;
  out.service = OpcuaService(type.numeric);
  if (!out.service) return out;
  out.is_response = type.numeric == out.service->response_id;
  if (out.is_response) {
    out.service_result = ua.ReadResponseHeader();
    if (!ua.ok()) return out;
    ParseResponse(ua, type.numeric, out, read, anomalies);
  } else {
    ua.SkipRequestHeader();
    if (!ua.ok()) return out;
    ParseRequest(ua, type.numeric, out, whole, anomalies);
  }
  out.complete = ua.ok();
  return out;
}

}  // namespace qw::dissect
